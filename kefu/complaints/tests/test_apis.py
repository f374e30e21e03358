"""Complaints through the API, and who may see what (R5, R1.3)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from kefu.complaints.models import AppraisalDeduction, FollowUpCallback

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.django_db
def test_complaint_end_to_end_through_the_api(make_user, handler, customer, api_client_for):
    agent = make_user("agent")
    with time_machine.travel(datetime(2026, 3, 2, 9, 30, tzinfo=SH), tick=False):
        phrase = api_client_for(agent).get("/api/v1/complaints/transfer-phrase/").json()["phrase"]
        assert phrase == "我们有专门的投诉处理人员,我现在帮您转接。"
        response = api_client_for(agent).post("/api/v1/complaints/", {
            "subject": "工程师未按约上门", "customer": customer.pk, "complainant_name": "张伟",
            "complainant_phone": "13812345678", "against_staff": agent.username}, format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        pk = body["id"]
        assert body["state"] == "new" and body["transfer_phrase"] == phrase
        assert body["investigation"] is None  # an agent does not read investigations
        assert [c["policy"] for c in body["clocks"]] == ["complaint_resolution"]
        api = api_client_for(handler)
        detail = api.get(f"/api/v1/complaints/{pk}/").json()
        assert detail["investigation"]["finding"] == "pending"
        stale = api.post(f"/api/v1/complaints/{pk}/record/", {"version": 99, "details": "x"}, format="json")
        assert stale.status_code == 409
        ok = api.post(f"/api/v1/complaints/{pk}/record/", {"version": detail["ticket_version"],
                                                           "details": "约定3月2日上午上门,未到也未通知"},
                      format="json")
        assert ok.status_code == 200
        deadline = datetime.fromisoformat(detail["clocks"][0]["deadline"])
        ext = api.post(f"/api/v1/complaints/{pk}/extend/", {
            "new_deadline": (deadline + timedelta(days=1)).isoformat(), "consent_by": "张伟",
            "consent_at": "2026-03-02T09:25:00+08:00", "reason": "需工程师所在分公司核实"}, format="json")
        assert ext.status_code == 201 and ext.json()["consent_by"] == "张伟"
        refused = api.post(f"/api/v1/complaints/{pk}/close/", {"resolution": "x"}, format="json")
        assert refused.status_code == 400 and refused.json()["error"]["code"] == "investigation_pending"
        assert api.post(f"/api/v1/complaints/{pk}/investigation/", {
            "finding": "verified", "evidence": "派工记录", "decision": "扣2分", "points": "2"},
            format="json").status_code == 200
        assert api.post(f"/api/v1/complaints/{pk}/inform/", {"message": "已核实并处理,向您致歉"},
                        format="json").status_code == 200
        closed = api.post(f"/api/v1/complaints/{pk}/close/", {"resolution": "已处理"}, format="json")
        assert closed.status_code == 200, closed.json()
        assert closed.json()["closed"] is True
        assert closed.json()["follow_up"]["status"] == "scheduled"
        assert closed.json()["follow_up"]["due_at"].startswith("2026-04-02")
    assert AppraisalDeduction.objects.get().points == 2
    qa = api_client_for(make_user("qa_inspector"))
    assert qa.get("/api/v1/appraisal-deductions/").json()["results"][0]["points"] == "2.00"
    assert api_client_for(agent).get("/api/v1/appraisal-deductions/").status_code == 403
    follow_ups = api.get("/api/v1/complaint-follow-ups/").json()["results"]
    assert [f["id"] for f in follow_ups] == [FollowUpCallback.objects.get().pk]


@pytest.mark.django_db
def test_complaint_scope_and_write_rights(make_user, handler, customer, api_client_for, client):
    from kefu.complaints.services import complaint_create

    complaint = complaint_create(actor=handler, subject="发票未寄出", customer=customer)
    assert api_client_for(make_user("field_engineer")).get("/api/v1/complaints/").status_code == 403
    # A business department member sees tickets of his teams only: this complaint is not one of them.
    member = make_user("business_department")
    assert api_client_for(member).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 403
    agent = api_client_for(make_user("agent"))
    assert agent.post(f"/api/v1/complaints/{complaint.pk}/inform/", {"message": "x"}, format="json"
                      ).status_code == 403
    auditor = make_user("internal_auditor")
    assert api_client_for(auditor).get(f"/api/v1/complaints/{complaint.pk}/").status_code == 200
    assert api_client_for(auditor).post(f"/api/v1/complaints/{complaint.pk}/close/", {"resolution": "x"},
                                        format="json").status_code == 403
    client.force_login(handler)
    page = client.get(f"/complaints/{complaint.pk}/")
    assert page.status_code == 200 and "发票未寄出" in page.content.decode()
    client.force_login(make_user("agent"))
    assert "我们有专门的投诉处理人员" in client.get("/complaints/new/").content.decode()
