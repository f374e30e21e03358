"""Callback demo data (R7.1–R7.5): a closed repair and a closed consultation with their callbacks — one on the
demo agent's list for today, one done with the answers of the 服务质量电话回访表, one pending with its 2-day
clock, one still to be planned — and one satisfaction survey sent by SMS.

Idempotent: everything is marked 【演示】 and made once; what exists is left alone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from kefu.accounts.models import User
from kefu.core import clock
from kefu.customers.models import Customer

from . import services
from .models import Callback, CallbackForm

MARK = "【演示】"


def _answers(form: CallbackForm, solved: str, scores: tuple[int, ...], words: str) -> dict[int, str]:
    questions = list(form.questions.filter(is_active=True).order_by("order", "id"))
    answers: dict[int, str] = {}
    score_values = iter(scores)
    for question in questions:
        if question.answer_type == "yes_no":
            answers[question.pk] = solved
        elif question.answer_type == "score":
            answers[question.pk] = str(next(score_values, scores[-1]))
        elif question.answer_type == "text" and words:
            answers[question.pk] = words
    return answers


def _closed_ticket(agent: User, kind: str, title: str, customer: Customer, resolution: str):
    from kefu.tickets.models import TicketKind
    from kefu.tickets.services import ticket_create, ticket_transition

    kind_obj = TicketKind.objects.get(code=kind)
    person = customer.contact_persons.first()
    phone = customer.phones.filter(kind="mobile").first()
    if kind_obj.closable_at_once:
        return ticket_create(actor=agent, kind=kind_obj, title=MARK + title, customer=customer, close_at_once=True,
                             resolution=resolution, reporter_name=person.name if person else "",
                             reporter_phone=phone.number if phone else "")
    ticket = ticket_create(actor=agent, kind=kind_obj, title=MARK + title, customer=customer,
                           reporter_name=person.name if person else "", reporter_phone=phone.number if phone else "")
    for transition, reason in (("start", ""), ("resolve", resolution), ("close", "")):
        ticket = ticket_transition(actor=agent, ticket=ticket, transition=transition, version=ticket.version,
                                   reason=reason)
    return ticket


def load(*, out: Callable[[str], None] = print) -> int:
    """Make the demo callbacks and survey once; returns how many callbacks were made."""
    if Callback.objects.filter(reason__startswith=MARK).exists():
        return 0
    agent = User.objects.filter(username="agent").first()
    planner = User.objects.filter(username="business-management").first()
    customers = list(Customer.objects.order_by("customer_number")[12:16])
    if agent is None or planner is None or len(customers) < 4:
        return 0
    today = clock.today()
    with transaction.atomic():
        repair = _closed_ticket(agent, "repair", "打印机不出纸", customers[0], "工程师上门更换打印模块后恢复")
        consultation = _closed_ticket(agent, "consultation", "咨询结算到账时间", customers[1],
                                      "告知 T+1 到账,节假日顺延")
        planned = services.callback_create(actor=planner, planned_for=today, ticket=repair, agent=agent,
                                           reason=MARK + "维修完成后回访")
        done = services.callback_create(actor=planner, planned_for=today, ticket=consultation, agent=agent,
                                        reason=MARK + "咨询抽样回访")
        services.callback_record_call(
            actor=agent, callback=done, version=done.version, outcome="reached", solution_accepted=True,
            note="商户表示已按时到账,对服务满意",
            answers=_answers(done.form, "yes", (5, 5, 4), "希望节假日也能及时通知"))
        pending = services.callback_create(actor=planner, planned_for=today, customer=customers[2], agent=agent,
                                           reason=MARK + "装机满意度回访")
        services.callback_record_call(
            actor=agent, callback=pending, version=pending.version, outcome="reached", solution_accepted=True,
            note="商户反映小票打印偏淡", pending_issue="小票打印偏淡,需确认是否更换打印头",
            answers=_answers(pending.form, "no", (4, 3, 4), ""))
        services.callback_create(actor=planner, planned_for=today, customer=customers[3],
                                 reason=MARK + "业务管理部抽查回访", note="请核实商户营业时间是否变更")
        services.survey_send(actor=agent, channel="sms", ticket=repair, base_url="http://127.0.0.1:8000/")
    out(f"Demo callbacks: 4 made ({planned.pk} on the agent's list), 1 survey sent by SMS.")
    return 4
