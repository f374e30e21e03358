"""What the agent sees before and during a callback (R7.2): his list, the service history, the script."""

from datetime import timedelta

import pytest

from kefu.callbacks import selectors, services
from kefu.callbacks.models import CallbackScriptStep
from kefu.callbacks.tests.factories import plain_callback
from kefu.callbacks.tests.test_services import quality_answers
from kefu.core import clock


@pytest.mark.django_db
def test_the_list_puts_pending_callbacks_first_and_leaves_out_later_days(planner, make_agent, customer):
    agent = make_agent()
    later = plain_callback(agent=agent, customer=customer, day=clock.today() + timedelta(days=2))
    first = plain_callback(agent=agent, customer=customer)
    pending = services.callback_create(actor=planner, planned_for=clock.today(), customer=customer, agent=agent)
    pending = services.callback_record_call(actor=agent, callback=pending, version=pending.version,
                                            outcome="reached", answers=quality_answers(), pending_issue="待补发票")
    assert list(selectors.my_list(agent)) == [pending, first]
    assert list(selectors.upcoming_for(agent)) == [later]


@pytest.mark.django_db
def test_history_and_script_before_the_call(planner, make_agent, customer, closed_ticket, make_user):
    agent = make_agent("坐席周八", work_number="2046")
    earlier = closed_ticket(customer=customer, title="刷卡无反应")
    ticket = closed_ticket(customer=customer, title="打印机不出纸")
    callback = services.callback_create(actor=planner, planned_for=clock.today(), ticket=ticket, agent=agent)
    history = selectors.service_history(agent, callback)
    assert {t.pk for t in history.tickets} == {earlier.pk, ticket.pk}
    assert history.since == clock.today() - timedelta(days=180)
    # Someone who may not see tickets sees none of them in the history either.
    assert selectors.service_history(make_user("field_engineer"), callback).tickets == []
    lines = {line.step: line.text for line in selectors.callback_script(callback, agent)}
    assert lines["identity"] == "您好,请问是张伟吗?(先核对客户身份:上海浦东张记餐饮店)"  # the primary contact
    assert lines["introduction"] == "您好,我是客服中心客户服务部的客服专员,工号2046。"
    assert "打印机不出纸" in lines["convenient"] and lines["solution"].endswith("更换电源适配器后恢复")
    # The script is data: an administrator's edit shows on the next call.
    CallbackScriptStep.objects.filter(step="introduction").update(text="我是{department}{agent_name},工号{work_number}。")
    lines = {line.step: line.text for line in selectors.callback_script(callback, agent)}
    assert lines["introduction"] == "我是客户服务部坐席周八,工号2046。"
