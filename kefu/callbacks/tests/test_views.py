"""The callback pages: the agent's list and call page, the planning page, the public survey page, and the Excel
export of callback results."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from kefu.callbacks import services
from kefu.callbacks.models import Callback, CallbackForm, SatisfactionSurvey
from kefu.callbacks.tests.factories import plain_callback
from kefu.callbacks.tests.test_services import quality_answers
from kefu.core import clock

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_an_agent_calls_from_his_list_on_the_page(client, make_agent, customer, closed_ticket, planner):
    agent = make_agent("坐席王五", work_number="1007")
    ticket = closed_ticket(customer=customer, reporter_name="张伟")
    callback = services.callback_create(actor=planner, planned_for=clock.today(), ticket=ticket, agent=agent)
    client.force_login(agent)
    page = client.get("/callbacks/").content.decode()
    assert f'href="/callbacks/{callback.pk}/"' in page
    detail = client.get(f"/callbacks/{callback.pk}/").content.decode()
    # R7.2: the history before the call and the script with company, department and work number.
    assert ticket.number in detail and "更换电源适配器后恢复" in detail
    assert "您好,请问是张伟吗?" in detail and "工号1007" in detail and "13812345678" in detail
    form = callback.form
    questions = list(form.questions.order_by("order"))
    data = {"version": callback.version, "outcome": "reached", "solution_accepted": "yes", "note": "客户满意",
            f"q_{questions[0].pk}": "yes", f"q_{questions[1].pk}": "5"}
    missing = client.post(f"/callbacks/{callback.pk}/call/", data)
    assert missing.status_code == 400 and questions[2].text in missing.content.decode()
    data.update({f"q_{questions[2].pk}": "4", f"q_{questions[3].pk}": "5"})
    response = client.post(f"/callbacks/{callback.pk}/call/", data)
    assert response.status_code == 302 and response.url == "/callbacks/"
    callback.refresh_from_db()
    assert callback.status == "done" and str(callback.score) == "4.67"
    assert client.get(f"/callbacks/{callback.pk}/").status_code == 200


@pytest.mark.django_db
def test_the_planner_plans_the_day_on_the_page(client, planner, make_agent, customer, desk):
    agent = make_agent("坐席赵六")
    waiting = plain_callback(customer=customer)
    client.force_login(planner)
    assert str(waiting.pk) in client.get("/callbacks/planning/").content.decode()
    response = client.post("/callbacks/planning/", {"day": clock.today().isoformat(), "teams": [desk.pk],
                                                    "action": "plan"})
    assert response.status_code == 200 and 'id="plan-result"' in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.agent == agent and waiting.status == "planned"
    created = client.post("/callbacks/new/", {"planned_for": clock.today().isoformat(), "customer_number": "KH0001",
                                              "reason": "装机回访"})
    assert created.status_code == 302
    refused = client.post("/callbacks/new/", {"planned_for": clock.today().isoformat(), "ticket_number": "KF1"})
    assert refused.status_code == 400 and "KF1" in refused.content.decode()
    assert Callback.objects.count() == 2


@pytest.mark.django_db
def test_the_public_survey_page_needs_no_login(client, agent, customer):
    survey, link = services.survey_send(actor=agent, channel="web", customer=customer)
    path = link[link.index("/callbacks/s/"):]
    page = client.get(path)
    assert page.status_code == 200 and 'id="survey-form"' in page.content.decode()
    assert 'name="viewport"' in page.content.decode()
    questions = list(survey.form.questions.order_by("order"))
    answers = {f"q_{questions[0].pk}": "5", f"q_{questions[1].pk}": "4"}
    assert client.post(path, {f"q_{questions[0].pk}": "5"}).status_code == 400
    done = client.post(path, answers)
    assert done.status_code == 200 and 'id="survey-thanks"' in done.content.decode()
    again = client.get(path)
    assert again.status_code == 410
    body = again.content.decode()
    assert 'data-code="link_used"' in body and "can be used only once" in body
    assert client.post(path, answers).status_code == 410
    tampered = client.get(path.replace("/s/", "/s/x"))
    assert tampered.status_code == 404 and 'data-code="link_invalid"' in tampered.content.decode()
    survey.refresh_from_db()
    assert survey.status == SatisfactionSurvey.Status.ANSWERED


@pytest.mark.django_db
def test_pages_follow_the_roles(client, make_user, make_agent, customer):
    callback = plain_callback(agent=make_agent(), customer=customer)
    for role, path, expected in (("qa_inspector", "/callbacks/all/", 200), ("qa_inspector", "/callbacks/figures/", 200),
                                 ("qa_inspector", "/callbacks/surveys/", 200),
                                 ("qa_inspector", "/callbacks/planning/", 403),
                                 ("agent", "/callbacks/all/", 403), ("agent", f"/callbacks/{callback.pk}/", 404),
                                 ("agent", "/callbacks/surveys/send/", 200),
                                 ("internal_auditor", f"/callbacks/{callback.pk}/", 200),
                                 ("field_engineer", "/callbacks/", 403)):
        client.force_login(make_user(role))
        assert client.get(path).status_code == expected, (role, path)
    client.force_login(make_user("qa_inspector"))
    assert "138****5678" in client.get(f"/callbacks/{callback.pk}/").content.decode()


@pytest.mark.django_db
def test_the_excel_export_of_callback_results(client, planner, make_agent, make_user, customer):
    agent = make_agent("坐席孙七")
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        done = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), customer=customer, agent=agent,
                                        reason="维修回访")
        done = services.callback_record_call(actor=agent, callback=done, version=done.version, outcome="reached",
                                             answers=quality_answers(), solution_accepted=True, note="很满意")
        services.callback_create(actor=planner, planned_for=date(2026, 3, 3), customer=customer, reason="抽样回访")
        services.callback_create(actor=planner, planned_for=date(2026, 4, 1), customer=customer, reason="下月回访")
    client.force_login(make_user("management"))
    response = client.get("/callbacks/export/?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 2  # the callback of April is outside the period
    first = dict(zip(header, body[0], strict=True))
    assert list(first.values())[:2] == [done.pk, datetime(2026, 3, 2, tzinfo=SH).replace(tzinfo=None)]
    assert "维修回访" in body[0] and "138****5678" in body[0] and "很满意" in body[0]
    assert 4.67 in body[0]
    answers = list(book.worksheets[1].iter_rows(values_only=True))[1:]
    form = CallbackForm.objects.get(code="service_quality")
    assert [a[1] for a in answers] == [q.text for q in form.questions.order_by("order")]
    assert all(a[0] == done.pk for a in answers)
    figures = [value for _label, value in book.worksheets[2].iter_rows(values_only=True)]
    assert figures[2:4] == [2, 1]  # planned, done
