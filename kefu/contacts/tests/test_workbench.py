"""The agent workbench (R3.2–R3.4): the screen pop pushed when a call rings at an agent, what it shows (masked
per role), the one-step record of a contact with its ticket, errors and permissions; and the recording access
log (R3.8)."""

from datetime import timedelta

import pytest
from django.test import Client

from kefu.accounts.models import Team
from kefu.complaints.models import Complaint
from kefu.contacts import services, workbench
from kefu.contacts.models import Contact, RecordingAccess
from kefu.core import clock
from kefu.core.models import PushMessage, Setting
from kefu.tickets.models import Dispatch, Ticket, TicketEntry, TicketKind

from .conftest import local

OFFER = {"id": "evt-1", "type": "offered", "call_id": "call-1", "timestamp": "2026-03-02T09:00:00+08:00",
         "caller": "13812345678", "called": "4008208820", "queue": "support", "agent": "8001"}


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def offered(customer, agent_a, post_events, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert post_events(OFFER).status_code == 200
    return Contact.objects.get(call_id="call-1")


def open_ticket(actor, customer, title="POS 刷卡无反应", kind="repair"):
    from kefu.tickets.services import ticket_create

    return ticket_create(actor=actor, kind=TicketKind.objects.get(code=kind), title=title, customer=customer)


def record(client, *, htmx=True, **data):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post("/contacts/workbench/record/", data, **headers)


# --- the screen pop ----------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_call_ringing_at_an_agent_pushes_one_pop_to_him_only(offered, agent_a, agent_b, post_events,
                                                               django_capture_on_commit_callbacks):
    message = PushMessage.objects.get()
    assert (message.user, message.kind) == (agent_a, "contacts.offered")
    assert message.payload["contact"] == offered.pk and message.payload["call_id"] == "call-1"
    # Queued only (no agent yet), or a repeated delivery: nothing more pops.
    with django_capture_on_commit_callbacks(execute=True):
        post_events({**OFFER, "id": "evt-2", "call_id": "call-2", "agent": ""})
        post_events(OFFER)
    assert PushMessage.objects.count() == 1 and not PushMessage.objects.filter(user=agent_b).exists()


@pytest.mark.django_db
def test_the_pop_shows_the_masked_card_tickets_contacts_complaints_and_the_greeting(offered, customer, agent_a,
                                                                                    make_user):
    earlier = services.contact_create(actor=agent_a, channel="inbound_call", caller_number="13812345678",
                                      offered_at=local(2026, 3, 1, 10, 0), ended_at=local(2026, 3, 1, 10, 2),
                                      summary_what="询问结算到账时间")
    ticket = open_ticket(agent_a, customer)
    from kefu.complaints.services import complaint_create

    complaint_create(actor=agent_a, subject="维修人员迟到", customer=customer)
    client = login(agent_a)
    page = client.get("/contacts/workbench/pop/", {"contact": offered.pk}).content.decode()
    assert "上海浦东张记餐饮店" in page and "138****5678" in page and "13812345678" not in page
    assert "上海市浦东新区****" in page and "张江路88号" not in page  # the address is masked too (R2.3)
    assert ticket.number in page and f"您的工单{ticket.number}正在处理中" in page  # R3.4 status sentence
    assert "维修人员迟到" in page and "询问结算到账时间" in page and f"/contacts/{earlier.pk}/" in page
    # The record form follows right after the card, with the call and the customer filled in.
    assert f'hx-get="/contacts/workbench/form/?contact={offered.pk}&amp;customer={customer.pk}&amp;q="' in page
    form = client.get("/contacts/workbench/form/", {"contact": offered.pk, "customer": customer.pk}).content.decode()
    assert 'id="record-form"' in form and f'value="{offered.pk}"' in form
    assert f'<option value="{ticket.number}">' in form  # the caller's open tickets, to add a note to
    workbench_page = client.get("/contacts/workbench/").content.decode()
    assert "您好!工号1001为您服务。请问有什么可以帮您的?" in workbench_page  # R3.2 [000]
    assert "我们有专门的投诉处理人员,我现在帮您转接。" in workbench_page and "“找别人去”" in workbench_page
    assert 'data-target="180"' in workbench_page and 'data-handover="480"' in workbench_page
    assert f'data-after="{PushMessage.objects.get().pk}"' in workbench_page

    data = client.get("/api/v1/workbench/pop/", {"contact": offered.pk}).json()
    assert data["contact"]["id"] == offered.pk and data["contact"]["caller_number"] == "138****5678"
    assert data["customer"]["name"] == "上海浦东张记餐饮店"
    assert {p["number"] for p in data["customer"]["phones"]} == {"138****5678", "021****5678"}
    sentences = {t["number"]: t["status_sentence"] for t in data["open_tickets"]}  # the complaint's ticket too
    assert len(sentences) == 2 and "正在处理中" in sentences[ticket.number]
    assert data["complaints"][0]["subject"] == "维修人员迟到"
    assert [c["id"] for c in data["recent_contacts"]] == [earlier.pk]
    assert data["script"]["greeting"] == "您好!工号1001为您服务。请问有什么可以帮您的?"
    assert "不知道" in data["script"]["forbidden"]
    assert data["timer"] == {"target_seconds": 180, "routine_max_seconds": 300, "handover_seconds": 480}


@pytest.mark.django_db
def test_a_typed_number_pops_the_same_card(customer, agent_a, make_customer):
    client = login(agent_a)
    for query in ("138 1234 5678", "kh0001", "898310048160001"):
        assert 'id="customer-card"' in client.get("/contacts/workbench/pop/", {"q": query}).content.decode(), query
    assert 'id="no-customer"' in client.get("/contacts/workbench/pop/", {"q": "13900000000"}).content.decode()
    # Two customers on one number: the agent chooses.
    other = make_customer(name="浦东张记二店", phones=[{"number": "13812345678"}])
    page = client.get("/contacts/workbench/pop/", {"q": "13812345678"}).content.decode()
    assert 'id="candidates"' in page and 'id="customer-card"' not in page
    chosen = client.get("/contacts/workbench/pop/", {"q": "13812345678", "customer": other.pk}).content.decode()
    assert "浦东张记二店" in chosen and 'id="customer-card"' in chosen
    assert client.get("/api/v1/workbench/pop/").status_code == 400


@pytest.mark.django_db
def test_without_javascript_the_page_itself_pops_and_records(customer, agent_a):
    client = login(agent_a)
    page = client.get("/contacts/workbench/", {"q": "13812345678"}).content.decode()
    assert 'id="customer-card"' in page and 'id="record-form"' in page and 'name="q" value="13812345678"' in page
    invalid = record(client, htmx=False, q="13812345678", customer=customer.pk, action="consultation")
    shown = invalid.content.decode()
    assert invalid.status_code == 400 and "<h1>" in shown and 'id="record-form"' in shown and "errorlist" in shown
    done = record(client, htmx=False, q="13812345678", customer=customer.pk, action="consultation", **SUMMARY)
    contact = Contact.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/contacts/{contact.pk}/"
    assert contact.customer == customer and contact.tickets.get().state.is_closed


@pytest.mark.django_db
def test_the_timer_marks_are_data(agent_a):
    Setting.objects.create(key="contacts.call_target_minutes", value=2)
    page = login(agent_a).get("/contacts/workbench/").content.decode()
    assert 'data-target="120"' in page and 'data-routine-max="300"' in page
    assert workbench.timer_marks() == workbench.TimerMarks(target=120, routine_max=300, handover=480)


# --- the one-step record ----------------------------------------------------------------------------------------

SUMMARY = {"summary_who": "张老板", "summary_where": "收银台", "summary_what": "询问如何打印结算单",
           "summary_how": "指导商户在主菜单打印结算单"}


@pytest.mark.django_db
def test_a_consultation_is_recorded_and_closed_at_once_in_one_step(offered, customer, agent_a):
    response = record(login(agent_a), contact=offered.pk, action="consultation", **SUMMARY)
    assert response.status_code == 200, response.content.decode()
    offered.refresh_from_db()
    ticket = offered.tickets.get()
    assert (ticket.kind.code, ticket.state.is_closed, ticket.resolution) == (
        "consultation", True, "指导商户在主菜单打印结算单")
    assert ticket.customer == customer and ticket.reporter_phone == "13812345678"
    assert (offered.outcome, offered.summary_what, offered.summary_who) == ("resolved", "询问如何打印结算单", "张老板")
    assert ticket.number in response.content.decode() and 'id="record-result"' in response.content.decode()


@pytest.mark.django_db
def test_a_repair_creates_the_ticket_and_goes_to_the_work_order_reverification(offered, agent_a):
    response = record(login(agent_a), contact=offered.pk, action="repair", summary_what="POS 机无法开机")
    ticket = Ticket.objects.get()
    assert response.status_code == 204 and response["HX-Redirect"] == f"/tickets/{ticket.pk}/work-order/"
    assert (ticket.kind.code, ticket.state.is_closed, ticket.title) == ("repair", False, "POS 机无法开机")
    offered.refresh_from_db()
    assert offered.outcome == "ticket" and list(offered.tickets.all()) == [ticket]
    page = login(agent_a).get(response["HX-Redirect"]).content.decode()
    assert "上海市浦东新区张江路88号3楼" in page  # the details to read back to the customer


@pytest.mark.django_db
def test_a_complaint_is_transferred_to_the_complaint_desk_with_the_sentence(offered, customer, agent_a):
    desk = Team.objects.create(code="complaints", name="投诉组", kind=Team.Kind.COMPLAINT_DESK)
    response = record(login(agent_a), contact=offered.pk, action="complaint", summary_what="工程师服务态度差",
                      summary_who="张老板")
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.ticket.team == desk and complaint.subject == "工程师服务态度差"
    assert complaint.transferred_by == agent_a and complaint.complainant_name == "张老板"
    assert "我们有专门的投诉处理人员,我现在帮您转接。" in response.content.decode()
    offered.refresh_from_db()
    assert offered.outcome == "transferred" and list(offered.tickets.all()) == [complaint.ticket]


@pytest.mark.django_db
def test_a_technical_fault_is_dispatched_to_tech_support(offered, agent_a, make_user):
    tech = Team.objects.create(code="tech-pos", name="终端技术支持组", kind=Team.Kind.SECOND_LINE)
    engineer = make_user("tech_support")
    engineer.teams.add(tech)
    data = record(login(agent_a), htmx=False, contact=offered.pk, action="technical",
                  summary_what="交易报错 A7，重启无效")
    assert data.status_code == 302
    dispatch = Dispatch.objects.get()
    assert dispatch.team == tech and dispatch.ticket.kind.code == "technical_fault" and dispatch.ticket.team == tech
    assert dispatch.ticket.contacts.get() == offered
    offered.refresh_from_db()
    assert offered.outcome == "transferred"
    from kefu.tickets.models import Notification

    assert Notification.objects.filter(user=engineer, ticket=dispatch.ticket).exists()


@pytest.mark.django_db
def test_a_repeat_caller_s_open_ticket_gets_a_note(offered, customer, agent_a):
    ticket = open_ticket(agent_a, customer)
    client = login(agent_a)
    response = record(client, contact=offered.pk, action="update", ticket=ticket.number.lower(),
                      summary_what="催问维修进度", note="商户催单，今天下午务必上门")
    assert response.status_code == 200
    entry = TicketEntry.objects.get(ticket=ticket)
    assert (entry.kind, entry.body, entry.author) == ("note", "商户催单，今天下午务必上门", agent_a)
    offered.refresh_from_db()
    assert offered.outcome == "ticket" and list(offered.tickets.all()) == [ticket]


@pytest.mark.django_db
def test_a_typed_in_call_creates_its_contact_when_recorded(customer, agent_a):
    started = clock.now() - timedelta(minutes=4)
    client = login(agent_a)
    response = client.post("/api/v1/workbench/record/", {
        "number": "138-1234-5678", "started_at": started.isoformat(), "action": "none", "outcome": "callback",
        "summary_what": "要求明天回电"}, content_type="application/json")
    assert response.status_code == 201, response.content
    contact = Contact.objects.get(pk=response.json()["contact"])
    assert (contact.source, contact.channel, contact.customer, contact.agent) == ("manual", "inbound_call", customer,
                                                                                   agent_a)
    assert contact.offered_at == started and contact.outcome == "callback" and 230 <= contact.talk_seconds <= 250
    assert response.json()["ticket"] is None and not PushMessage.objects.exists()


@pytest.mark.django_db
def test_the_api_records_each_action(offered, customer, agent_a):
    client = login(agent_a)
    body = client.post("/api/v1/workbench/record/", {"contact": offered.pk, "action": "other", "kind": "installation",
                                                     **SUMMARY}, content_type="application/json").json()
    ticket = Ticket.objects.get(pk=body["ticket_id"])
    assert body["needs_work_order"] is True and body["work_order_url"] == f"/api/v1/tickets/{ticket.pk}/work-orders/"
    assert ticket.kind.code == "installation" and body["outcome"] == "ticket"


@pytest.mark.django_db
@pytest.mark.parametrize("data, field", [
    ({"action": "consultation"}, "summary_what"),
    ({"action": "consultation", "summary_what": "问"}, "resolution"),
    ({"action": "other", "summary_what": "问"}, "kind"),
    ({"action": "update", "summary_what": "问"}, "ticket"),
    ({"action": "update", "summary_what": "问", "ticket": "KF20990101-000001"}, "ticket"),
    ({"action": "none", "summary_what": "问", "outcome": "ticket"}, "outcome"),
    ({"action": "teleport", "summary_what": "问"}, "action"),
    ({"action": "technical", "summary_what": "问"}, "action"),  # no tech-support team configured
])
def test_errors_name_their_field_in_two_languages_and_write_nothing(offered, agent_a, data, field):
    response = login(agent_a).post("/api/v1/workbench/record/", {"contact": offered.pk, **data},
                                   content_type="application/json")
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field and error["message"] and error["message_en"]
    offered.refresh_from_db()
    assert offered.outcome == "" and offered.summary_what == "" and not Ticket.objects.exists()


@pytest.mark.django_db
def test_the_web_form_shows_errors_in_place_and_a_contact_is_recorded_once(offered, agent_a):
    client = login(agent_a)
    response = record(client, contact=offered.pk, action="consultation", summary_what="问结算")
    assert response.status_code == 400 and 'id="record-form"' in response.content.decode()
    assert "errorlist" in response.content.decode() and not Ticket.objects.exists()
    assert record(client, contact=offered.pk, action="consultation", **SUMMARY).status_code == 200
    again = record(client, contact=offered.pk, action="consultation", **SUMMARY)
    assert again.status_code == 400 and Ticket.objects.count() == 1
    api = client.post("/api/v1/workbench/record/", {"contact": offered.pk, "action": "consultation", **SUMMARY},
                      content_type="application/json")
    assert api.status_code == 409 and api.json()["error"]["code"] == "already_recorded"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["qa_inspector", "internal_auditor", "field_engineer", "back_office"])
def test_roles_without_the_workbench_are_refused(make_user, role):
    client = login(make_user(role))
    for url in ("/contacts/workbench/", "/contacts/workbench/pop/?q=1", "/contacts/workbench/stream/",
                "/contacts/workbench/form/",
                "/api/v1/workbench/pop/?q=1"):
        assert client.get(url).status_code == 403, url
    assert client.post("/contacts/workbench/record/", {"action": "none"}).status_code == 403
    assert client.post("/api/v1/workbench/record/", {"action": "none"}).status_code == 403


@pytest.mark.django_db
def test_the_navigation_offers_the_workbench_to_agents(agent_a, make_user):
    assert "/contacts/workbench/" in login(agent_a).get("/").content.decode()
    assert "/contacts/workbench/" not in login(make_user("qa_inspector")).get("/").content.decode()


# --- recordings (R3.8) --------------------------------------------------------------------------------------------

@pytest.fixture
def recorded(agent_a):
    return services.contact_create(
        actor=agent_a, channel="inbound_call", caller_number="13812345678", offered_at=local(2026, 3, 2, 9, 0),
        answered_at=local(2026, 3, 2, 9, 0, 10), ended_at=local(2026, 3, 2, 9, 3),
        recording_url="https://rec.example.cn/a.wav")


@pytest.mark.django_db
def test_every_opening_of_a_recording_is_logged(recorded, make_user):
    supervisor, qa = make_user("supervisor"), make_user("qa_inspector")
    response = login(supervisor).get(f"/contacts/{recorded.pk}/recording/", HTTP_USER_AGENT="Chromium 130")
    assert response.status_code == 302 and response["Location"] == "https://rec.example.cn/a.wav"
    assert response["Cache-Control"] == "no-store"
    api = login(qa).get(f"/api/v1/contacts/{recorded.pk}/recording/").json()
    assert api["url"] == "https://rec.example.cn/a.wav"
    accesses = list(RecordingAccess.objects.order_by("id"))
    assert [(a.user, a.contact, a.via) for a in accesses] == [(supervisor, recorded, "web"), (qa, recorded, "api")]
    assert accesses[0].ip_address == "127.0.0.1" and accesses[0].user_agent == "Chromium 130"
    assert api["access"] == accesses[1].pk


@pytest.mark.django_db
def test_only_listeners_open_recordings_and_only_reviewers_read_the_log(recorded, agent_a, make_user):
    assert login(agent_a).get(f"/contacts/{recorded.pk}/recording/").status_code == 403
    assert login(agent_a).get(f"/api/v1/contacts/{recorded.pk}/recording/").status_code == 403
    fax = services.contact_create(actor=agent_a, channel="fax")
    assert login(make_user("supervisor")).get(f"/contacts/{fax.pk}/recording/").status_code == 404
    no_recording = login(make_user("qa_inspector")).get(f"/api/v1/contacts/{fax.pk}/recording/")
    assert no_recording.status_code == 404 and no_recording.json()["error"]["code"] == "no_recording"
    assert not RecordingAccess.objects.exists()
    login(make_user("qa_inspector")).get(f"/contacts/{recorded.pk}/recording/")
    for role in ("supervisor", "qa_inspector", "internal_auditor"):
        client = login(make_user(role))
        assert "https://rec.example.cn/a.wav" not in client.get("/contacts/recording-log/").content.decode()
        assert f"/contacts/{recorded.pk}/" in client.get("/contacts/recording-log/").content.decode()
        assert client.get("/api/v1/recording-accesses/", {"contact": recorded.pk}).json()["count"] == 1
    for role in ("agent", "shift_lead"):
        client = login(make_user(role))
        assert client.get("/contacts/recording-log/").status_code == 403
        assert client.get("/api/v1/recording-accesses/").status_code == 403


@pytest.mark.django_db
def test_the_workbench_api_is_in_the_schema(agent_a):
    schema = login(agent_a).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/v1/workbench/pop/", "/api/v1/workbench/record/", "/api/v1/contacts/{id}/recording/",
                 "/api/v1/recording-accesses/"):
        assert path in schema["paths"], path
    record_op = schema["paths"]["/api/v1/workbench/record/"]["post"]
    assert "201" in record_op["responses"] and "requestBody" in record_op
