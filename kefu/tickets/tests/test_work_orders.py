"""R4.3 work orders and R4.7 attachments, saved views and bulk assignment."""

import pytest

from kefu.core.errors import FieldError, KefuError
from kefu.tickets.models import Notification, WorkOrder
from kefu.tickets.work_orders import (
    attachment_add,
    work_order_arrive,
    work_order_assign,
    work_order_create,
    work_order_finish,
)

VERIFIED = {
    "address": {"confirmed": True, "value": "上海市浦东新区张江路88号3楼"},
    "onsite_phone": {"corrected": "021-6234 5678"},
    "business_hours": {"confirmed": True, "value": "09:00–21:00"},
    "contact_person": {"confirmed": True, "value": "张伟"},
    "product_model": {"confirmed": True, "value": "百富 S910"},
}


@pytest.fixture
def engineer(make_user, field_team):
    user = make_user("field_engineer")
    user.teams.add(field_team)
    return user


@pytest.fixture
def dispatcher(make_user, field_team):
    user = make_user("dispatcher")
    user.teams.add(field_team)
    return user


@pytest.mark.django_db
def test_no_work_order_without_the_five_verifications(make_ticket, agent, field_team, customer):
    ticket = make_ticket(customer=customer)
    for item in VERIFIED:
        partial = {k: v for k, v in VERIFIED.items() if k != item}
        with pytest.raises(FieldError) as info:
            work_order_create(actor=agent, ticket=ticket, team=field_team, verification=partial)
        assert info.value.field == f"verification.{item}"
    unticked = dict(VERIFIED, contact_person={"confirmed": False, "value": "张伟"})
    with pytest.raises(FieldError):
        work_order_create(actor=agent, ticket=ticket, team=field_team, verification=unticked)
    assert not WorkOrder.objects.exists()
    consultation = make_ticket("consultation")
    with pytest.raises(FieldError):
        work_order_create(actor=agent, ticket=consultation, team=field_team, verification=VERIFIED)


@pytest.mark.django_db
def test_the_ticket_follows_the_engineers_result(make_ticket, agent, field_team, engineer, dispatcher, customer):
    ticket = make_ticket(customer=customer)
    work_order = work_order_create(actor=agent, ticket=ticket, team=field_team, verification=VERIFIED)
    assert work_order.onsite_phone == "02162345678"
    assert work_order.verification["onsite_phone"]["corrected"] is True
    assert Notification.objects.filter(user=dispatcher).exists()
    with pytest.raises(KefuError):  # the engineer cannot assign himself
        work_order_assign(actor=engineer, work_order=work_order, engineer=engineer)
    work_order_assign(actor=dispatcher, work_order=work_order, engineer=engineer)
    with pytest.raises(FieldError):  # finishing needs the arrival first
        work_order_finish(actor=engineer, work_order=work_order, work_done="x", parts_used="", result="fixed")
    work_order_arrive(actor=engineer, work_order=work_order)
    work_order_finish(actor=engineer, work_order=work_order, work_done="更换打印头，测试交易正常",
                      parts_used="打印头 ×1", result="fixed")
    ticket.refresh_from_db()
    assert ticket.state.code == "resolved" and ticket.resolution == "更换打印头，测试交易正常"
    assert Notification.objects.filter(user=agent, ticket=ticket).exists()
    with pytest.raises(KefuError):
        work_order_arrive(actor=engineer, work_order=work_order)


@pytest.mark.django_db
def test_a_work_order_not_fixed_leaves_the_ticket_open(make_ticket, agent, field_team, engineer, dispatcher):
    ticket = make_ticket()
    work_order = work_order_create(actor=agent, ticket=ticket, team=field_team, verification=VERIFIED)
    work_order_assign(actor=dispatcher, work_order=work_order, engineer=engineer)
    work_order_arrive(actor=engineer, work_order=work_order)
    work_order_finish(actor=engineer, work_order=work_order, work_done="主板故障", parts_used="",
                      result="needs_parts")
    ticket.refresh_from_db()
    assert ticket.state.code == "new"
    assert ticket.events.filter(action="work_order", field="result").exists()


@pytest.mark.django_db
def test_engineer_sees_only_his_own_work_orders(make_ticket, agent, field_team, engineer, dispatcher, make_user,
                                                api_client_for):
    other = make_user("field_engineer")
    other.teams.add(field_team)
    mine = work_order_create(actor=agent, ticket=make_ticket(), team=field_team, verification=VERIFIED)
    theirs = work_order_create(actor=agent, ticket=make_ticket(), team=field_team, verification=VERIFIED)
    work_order_assign(actor=dispatcher, work_order=mine, engineer=engineer)
    work_order_assign(actor=dispatcher, work_order=theirs, engineer=other)
    client = api_client_for(engineer)
    assert [w["id"] for w in client.get("/api/v1/work-orders/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/work-orders/{theirs.pk}/").status_code == 404
    assert client.post(f"/api/v1/work-orders/{theirs.pk}/arrive/").status_code == 404
    assert client.get(f"/api/v1/tickets/{mine.ticket_id}/").status_code == 200
    assert client.get(f"/api/v1/tickets/{theirs.ticket_id}/").status_code == 404
    assert len(api_client_for(dispatcher).get("/api/v1/work-orders/").json()["results"]) == 2


@pytest.mark.django_db
def test_work_order_through_the_api_names_the_missing_verification(make_ticket, agent, field_team, api_client_for):
    ticket = make_ticket()
    client = api_client_for(agent)
    response = client.post(f"/api/v1/tickets/{ticket.pk}/work-orders/",
                           {"team": field_team.code, "verification": {"address": {"confirmed": True, "value": "x"}}},
                           format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "verification.onsite_phone"
    response = client.post(f"/api/v1/tickets/{ticket.pk}/work-orders/",
                           {"team": field_team.code, "verification": VERIFIED}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "waiting"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.mark.django_db
def test_attachments_are_sniffed_and_never_served_inline(make_ticket, agent, api_client_for, make_user):
    ticket = make_ticket()
    with pytest.raises(FieldError) as info:
        attachment_add(actor=agent, ticket=ticket, filename="photo.jpg",
                       content=b"<html><script>alert(1)</script></html>")
    assert info.value.code == "type_not_allowed" and "text/html" in info.value.message_en
    with pytest.raises(FieldError):
        attachment_add(actor=agent, ticket=ticket, filename="setup.pdf", content=b"MZ\x90\x00" + b"\x00" * 200)
    attachment = attachment_add(actor=agent, ticket=ticket, filename="现场照片.png", content=PNG)
    assert attachment.content_type == "image/png"
    assert "现场照片" not in attachment.file.name and attachment.file.name.startswith("attachments/")
    response = api_client_for(agent).get(f"/api/v1/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == PNG
    outsider = make_user("third_party_partner")
    assert api_client_for(outsider).get(f"/api/v1/attachments/{attachment.pk}/download/").status_code == 404


@pytest.mark.django_db
def test_oversized_attachment_is_refused(make_ticket, agent):
    from kefu.core.models import Setting

    Setting.objects.create(key="tickets.attachment_max_bytes", value=1024)
    with pytest.raises(FieldError) as info:
        attachment_add(actor=agent, ticket=make_ticket(), filename="big.png", content=PNG + b"\x00" * 2048)
    assert info.value.code == "too_large"


@pytest.mark.django_db
def test_saved_views_and_bulk_assign(make_ticket, agent, make_user, api_client_for):
    lead = make_user("shift_lead")
    client = api_client_for(lead)
    response = client.post("/api/v1/saved-views/", {"name": "我的逾期", "query": "overdue=1&evil=x"}, format="json")
    assert response.json()["query"] == "overdue=1"
    assert [v["name"] for v in client.get("/api/v1/saved-views/").json()] == ["我的逾期"]
    assert api_client_for(agent).get("/api/v1/saved-views/").json() == []
    tickets = [make_ticket() for _ in range(3)]
    response = client.post("/api/v1/tickets/bulk-assign/", {"tickets": [t.pk for t in tickets],
                                                            "assignee": agent.username}, format="json")
    assert response.json() == {"changed": 3}
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == agent and ticket.events.filter(field="assignee").exists()
    assert Notification.objects.filter(user=agent).count() == 3
