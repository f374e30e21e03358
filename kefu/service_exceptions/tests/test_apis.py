"""Seed [001]'s loop through the API and the pages; the public supervision form; scope and rights (R6, R1.3)."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from openpyxl import load_workbook

from kefu.service_exceptions import services
from kefu.service_exceptions.models import ServiceException

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=SH)


def _post(client, pk, action, data):
    response = client.post(f"/api/v1/service-exceptions/{pk}/{action}/", data, format="json")
    return response


@pytest.mark.django_db
def test_seed_001_loop_through_the_api(make_user, api_client_for, business_department, customer):
    reporter = api_client_for(make_user("agent"))
    desk = api_client_for(make_user("shift_lead"))
    boss_user = make_user("management")
    boss = api_client_for(boss_user)
    with time_machine.travel(T0, tick=False):
        created = reporter.post("/api/v1/service-exceptions/", {
            "title": "大面积POS交易失败", "description": "上午10点起多家商户交易失败", "customer": customer.pk,
            "customer_phone": "13812345678"}, format="json")
        assert created.status_code == 201, created.json()
        pk = created.json()["id"]

        def version():
            return desk.get(f"/api/v1/service-exceptions/{pk}/").json()["version"]

        assert _post(desk, pk, "assess", {"version": version(), "category": "quality", "level": 1,
                                          "impact": "集体投诉风险", "cause": "网络故障"}).status_code == 200
        refused = _post(desk, pk, "plan", {"version": version(), "content": "x", "departments": [
            business_department.code]})
        assert refused.status_code == 403  # level 1 is planned by management
        assert _post(boss, pk, "plan", {"version": version(), "content": "切换备用线路并逐户回访",
                                        "departments": [business_department.code]}).status_code == 200
        # Bad input: approval by someone without the right is refused by the API.
        no_right = _post(desk, pk, "approval", {"version": version(), "approve": True})
        assert no_right.status_code == 403
        assert _post(boss, pk, "approval", {"version": version(), "approve": True}).status_code == 200
        assert _post(desk, pk, "follow-up", {"note": "已切换线路"}).status_code == 200
        assert _post(desk, pk, "inform", {"version": version(), "kind": "progress",
                                          "message": "正在恢复"}).status_code == 200
        assert _post(desk, pk, "complete", {"version": version(), "result": "交易恢复"}).status_code == 200
        assert _post(desk, pk, "inform", {"version": version(), "kind": "result",
                                          "message": "已恢复"}).status_code == 200
        unrated = _post(desk, pk, "archive", {"version": version()})
        assert unrated.status_code == 409 and unrated.json()["error"]["code"] == "not_rated"
        assert _post(desk, pk, "rate", {"version": version(), "satisfied": False,
                                        "note": "损失未补偿"}).status_code == 200
        body = desk.get(f"/api/v1/service-exceptions/{pk}/").json()
        assert body["state"] == "planning" and body["round"] == 2
        assert _post(boss, pk, "plan", {"version": version(), "content": "补偿手续费",
                                        "departments": [business_department.code]}).status_code == 200
        assert _post(boss, pk, "approval", {"version": version(), "approve": True}).status_code == 200
        assert _post(desk, pk, "complete", {"version": version(), "result": "已补偿"}).status_code == 200
        assert _post(desk, pk, "inform", {"version": version(), "kind": "result",
                                          "message": "已补偿"}).status_code == 200
        assert _post(desk, pk, "rate", {"version": version(), "satisfied": True}).status_code == 200
        archived = _post(desk, pk, "archive", {"version": version(), "note": "归档"})
        assert archived.status_code == 200 and archived.json()["state"] == "archived"
        assert [(p["round"], p["rating"]) for p in archived.json()["plans"]] == [(1, "not_satisfied"),
                                                                                (2, "satisfied")]

        # Internal audit reads the ledger with the whole history, figures and analysis, and changes nothing.
        auditor = api_client_for(make_user("internal_auditor"))
        ledger = auditor.get("/api/v1/service-exception-ledger/").json()["results"]
        assert ledger[0]["number"] == archived.json()["number"] and len(ledger[0]["events"]) >= 15
        kpis = auditor.get("/api/v1/service-exception-kpis/").json()
        assert kpis["exceptions"] == 1 and kpis["satisfaction_rate"] == 0.5 and kpis["on_time_rate"] == 1.0
        analysis = auditor.get("/api/v1/service-exception-analysis/").json()
        assert analysis["level"] == [{"name": "一级异常", "count": 1}]
        export = auditor.get("/api/v1/service-exception-ledger/export/")
        assert export.status_code == 200
        book = load_workbook(io.BytesIO(export.content))
        assert book.worksheets[0].max_row == 2 and book.worksheets[1].max_row >= 16
        assert _post(auditor, pk, "archive", {"version": 1}).status_code == 403
        assert api_client_for(make_user("agent")).get("/api/v1/service-exception-ledger/").status_code == 403


@pytest.mark.django_db
def test_row_scope_and_pages(make_user, api_client_for, client, business_department):
    agent_user = make_user("agent")
    exc = services.exception_report(actor=agent_user, title="承诺未兑现", description="未按时上门")
    other = api_client_for(make_user("agent"))
    assert other.get(f"/api/v1/service-exceptions/{exc.pk}/").status_code == 404
    assert api_client_for(agent_user).get(f"/api/v1/service-exceptions/{exc.pk}/").status_code == 200
    assert api_client_for(make_user("third_party_partner")).get("/api/v1/service-exceptions/").status_code == 403
    lead = make_user("shift_lead")
    client.force_login(lead)
    page = client.get(f"/service-exceptions/{exc.pk}/")
    assert page.status_code == 200 and exc.number in page.content.decode()
    response = client.post(f"/service-exceptions/{exc.pk}/assess/", {
        "version": exc.version, "category": 1, "level": 3, "impact": "一般"})
    assert response.status_code == 302
    exc.refresh_from_db()
    assert exc.state == ServiceException.State.PLANNING
    client.force_login(make_user("supervisor"))
    export = client.get("/service-exceptions/ledger/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.django_db
def test_public_form_with_a_signed_link(make_user, client, settings):
    token = services.report_link_make(actor=make_user("supervisor"), source="supervision_mailbox")
    url = f"/service-exceptions/report/{token}/"
    assert client.get(url).status_code == 200
    sent = client.post(url, {"title": "客服态度恶劣", "description": "热线坐席挂我电话", "reporter_name": "李女士",
                             "reporter_contact": "13900001111"})
    assert sent.status_code == 200 and "YC" in sent.content.decode()
    exc = ServiceException.objects.get()
    assert exc.source == "supervision_mailbox" and exc.reporter is None and exc.reporter_name == "李女士"
    tampered = client.get(f"/service-exceptions/report/{token[:-3]}xyz/")
    assert tampered.status_code == 404
    assert client.post(f"/service-exceptions/report/{token}x/", {"title": "x", "description": "y"}
                       ).status_code == 404
    with time_machine.travel(datetime.now(tz=SH) + timedelta(days=100)):
        expired = client.get(url)
    assert expired.status_code == 410
    # Rate limit: the same address gets a few reports per hour, then 429.
    statuses = [client.post(url, {"title": "重复", "description": "重复"}).status_code for _ in range(6)]
    assert statuses[-1] == 429 and ServiceException.objects.count() <= 5
