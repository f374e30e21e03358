"""Contacts UI and API (R3.1, R3.3, R3.6, agent states) with permissions (R1.3) and masking (R2.3)."""

from datetime import timedelta

import pytest
from django.test import Client

from kefu.contacts import selectors, services
from kefu.contacts.models import AgentStatus, Contact, ForbiddenPhrase, StandardPhrase
from kefu.core import clock
from kefu.core.errors import FieldError, KefuError

from .conftest import local


@pytest.fixture
def call(customer, agent_a):
    contact = services.contact_create(
        actor=agent_a, channel="inbound_call", caller_number="138 1234 5678", offered_at=local(2026, 3, 2, 9, 0),
        answered_at=local(2026, 3, 2, 9, 0, 12), ended_at=local(2026, 3, 2, 9, 3, 12),
        recording_url="https://rec.example.cn/a.wav", summary_what="POS 机无法开机")
    return contact


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_contact_typed_in_by_hand(call, agent_a, customer):
    assert (call.customer, call.agent, call.source) == (customer, agent_a, "manual")
    assert (call.wait_seconds, call.talk_seconds, call.handle_seconds, call.state) == (12, 180, 180, "completed")


@pytest.mark.django_db
def test_a_fax_is_registered_with_the_time_received(agent_a):
    received = clock.now() - timedelta(minutes=20)
    fax = services.contact_create(actor=agent_a, channel="fax", offered_at=received, caller_number="021-62345678")
    assert fax.offered_at == received and fax.channel == "fax" and fax.state == "offered"
    with pytest.raises(FieldError):
        services.contact_create(actor=agent_a, channel="telegram")
    with pytest.raises(FieldError):
        services.contact_create(actor=agent_a, channel="fax", offered_at=clock.now() + timedelta(hours=1))
    with pytest.raises(FieldError):
        services.contact_create(actor=agent_a, channel="inbound_call", offered_at=received,
                                answered_at=received - timedelta(seconds=1))


@pytest.mark.django_db
def test_the_list_masks_numbers_and_filters(call, make_user, client):
    client = login(make_user("agent"))
    page = client.get("/contacts/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert client.get("/contacts/", {"number": "13812345678"}).context["page"].paginator.count == 1
    assert client.get("/contacts/", {"number": "13900000000"}).context["page"].paginator.count == 0
    assert client.get("/contacts/", {"channel": "fax"}).context["page"].paginator.count == 0
    api = client.get("/api/v1/contacts/", {"state": "completed"}).json()
    assert api["count"] == 1 and api["results"][0]["caller_number"] == "138****5678"


@pytest.mark.django_db
def test_the_recording_link_only_for_those_who_may_listen(call, make_user):
    agent_page = login(make_user("agent")).get(f"/contacts/{call.pk}/").content.decode()
    assert "https://rec.example.cn/a.wav" not in agent_page and 'id="recording"' in agent_page
    qa = login(make_user("qa_inspector"))
    # R3.8: the page and the API hand out only the logged way to the recording, never the link itself.
    qa_page = qa.get(f"/contacts/{call.pk}/").content.decode()
    assert f'href="/contacts/{call.pk}/recording/"' in qa_page and "https://rec.example.cn/a.wav" not in qa_page
    assert qa.get(f"/api/v1/contacts/{call.pk}/").json()["recording_url"] == (
        f"http://testserver/api/v1/contacts/{call.pk}/recording/")
    assert login(make_user("agent")).get(f"/api/v1/contacts/{call.pk}/").json()["recording_url"] == ""


@pytest.mark.django_db
def test_the_5w1h_summary_and_outcome_are_recorded_with_history(call, make_user):
    agent = make_user("agent")
    client = login(agent)
    response = client.post(f"/contacts/{call.pk}/summary/", {
        "summary_when": "今天上午", "summary_who": "张伟", "summary_where": "收银台", "summary_what": "POS 机无法开机",
        "summary_why": "电池故障", "summary_how": "已报修", "outcome": "ticket"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert (call.summary_where, call.outcome) == ("收银台", "ticket")
    assert call.history.first().history_user == agent
    api = client.patch(f"/api/v1/contacts/{call.pk}/", {"outcome": "resolved", "summary_how": "电话指导重启"},
                       content_type="application/json")
    assert api.status_code == 200 and api.json()["outcome"] == "resolved"
    assert client.patch(f"/api/v1/contacts/{call.pk}/", {"outcome": "exploded"},
                        content_type="application/json").status_code == 400
    auditor = login(make_user("internal_auditor"))
    assert auditor.get(f"/contacts/{call.pk}/").status_code == 200
    assert auditor.patch(f"/api/v1/contacts/{call.pk}/", {"outcome": "callback"},
                         content_type="application/json").status_code == 403


@pytest.mark.django_db
def test_a_contact_is_linked_to_its_ticket(call, make_user, customer):
    from kefu.tickets.models import TicketKind
    from kefu.tickets.services import ticket_create

    agent = make_user("agent")
    ticket = ticket_create(actor=agent, kind=TicketKind.objects.get(code="repair"), title="POS 无法开机",
                           customer=customer)
    client = login(agent)
    assert client.post(f"/contacts/{call.pk}/tickets/", {"ticket": ticket.number}).status_code == 302
    assert list(call.tickets.all()) == [ticket] and list(ticket.contacts.all()) == [call]
    response = client.post(f"/api/v1/contacts/{call.pk}/tickets/", {"ticket": "KF20990101-000001"},
                           content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "ticket"
    assert ticket.number in client.get(f"/contacts/{call.pk}/").content.decode()


@pytest.mark.django_db
def test_the_seed_phrases_are_data(make_user):
    greeting = StandardPhrase.objects.filter(step="greeting").first()
    assert greeting.text == "您好!工号{work_number}为您服务。请问有什么可以帮您的?" and greeting.source == "[000]"
    assert StandardPhrase.objects.filter(step="complaint_transfer",
                                         text="我们有专门的投诉处理人员,我现在帮您转接。").exists()
    assert set(ForbiddenPhrase.objects.values_list("text", flat=True)) == {"不知道", "我不管", "没有办法", "找别人去"}
    assert set(StandardPhrase.objects.values_list("step", flat=True)) == set(StandardPhrase.Step.values)
    agent = make_user("agent", work_number="0815")
    assert selectors.phrases_by_step(agent=agent)["greeting"][0] == "您好!工号0815为您服务。请问有什么可以帮您的?"
    # Seeding again after a supervisor's edit restores nothing.
    ForbiddenPhrase.objects.filter(text="不知道").delete()
    services.phrases_seed_defaults()
    assert not ForbiddenPhrase.objects.filter(text="不知道").exists()


@pytest.mark.django_db
def test_supervisors_edit_phrases_agents_read_them(make_user):
    supervisor, agent = make_user("supervisor"), make_user("agent")
    assert login(agent).get("/api/v1/forbidden-phrases/").status_code == 200
    assert login(agent).post("/api/v1/forbidden-phrases/", {"text": "你自己看"},
                             content_type="application/json").status_code == 403
    client = login(supervisor)
    created = client.post("/api/v1/forbidden-phrases/", {"text": "你自己看"}, content_type="application/json")
    assert created.status_code == 201
    duplicate = client.post("/api/v1/forbidden-phrases/", {"text": "你自己看"}, content_type="application/json")
    assert duplicate.status_code == 400 and duplicate.json()["error"]["field"] == "text"
    phrase = StandardPhrase.objects.get(step="hold")
    page = client.post(f"/contacts/standard-phrases/{phrase.pk}/", {"step": "hold", "text": "请您稍候,我马上为您查询。",
                                                                    "order": 1, "is_active": "on", "source": ""})
    assert page.status_code == 302
    phrase.refresh_from_db()
    assert phrase.text == "请您稍候,我马上为您查询。" and phrase.history.count() == 2
    listing = client.get("/api/v1/standard-phrases/").json()
    assert any(p["text"] == "请您稍候,我马上为您查询。" for p in listing)
    assert client.post(f"/contacts/standard-phrases/{phrase.pk}/", {"delete": "1"}).status_code == 302
    assert not StandardPhrase.objects.filter(pk=phrase.pk).exists()
    assert "不知道" in login(agent).get("/contacts/phrases/").content.decode()


@pytest.mark.django_db
def test_agent_states(make_user):
    agent = make_user("agent")
    client = login(agent)
    assert client.get("/api/v1/agent-state/").json()["state"] == "logged_out"
    for state in ("logged_in", "ready", "break", "ready", "on_call", "after_call_work", "ready", "logged_out"):
        response = client.post("/api/v1/agent-state/", {"state": state, "reason": "午餐" if state == "break" else ""},
                               content_type="application/json")
        assert response.status_code == 200 and response.json()["state"] == state
    refused = client.post("/api/v1/agent-state/", {"state": "on_call"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_transition"
    assert AgentStatus.objects.get(user=agent).history.count() >= 8
    assert client.get("/api/v1/agent-states/").status_code == 403  # the floor is for shift leads
    lead = login(make_user("shift_lead"))
    assert [s["agent"] for s in lead.get("/api/v1/agent-states/").json()] == [agent.username]
    assert lead.get("/contacts/agents/").status_code == 200
    assert login(make_user("management")).post("/api/v1/agent-state/", {"state": "ready"},
                                               content_type="application/json").status_code == 403
    page = client.post("/contacts/agent-state/", {"state": "ready"})
    assert page.status_code == 302


@pytest.mark.django_db
def test_figures_api_and_page(call, make_user, agent_a):
    services.contact_create(actor=agent_a, channel="inbound_call", offered_at=local(2026, 3, 2, 9, 40),
                            answered_at=local(2026, 3, 2, 9, 40, 30), ended_at=local(2026, 3, 2, 9, 41, 30))
    services.contact_create(actor=agent_a, channel="inbound_call", offered_at=local(2026, 3, 2, 9, 50),
                            ended_at=local(2026, 3, 2, 9, 50, 2))  # abandoned after 2 s: short
    lead = login(make_user("shift_lead"))
    data = lead.get("/api/v1/call-figures/", {"date": "2026-03-02", "group_by": "interval", "interval": 30}).json()
    assert [(r["interval_start"][11:16], r["offered"], r["answered"]) for r in data["rows"]] == [
        ("09:00", 1, 1), ("09:30", 1, 1)]
    assert data["total"]["short_abandoned"] == 1 and data["total"]["service_level"] == 0.5
    assert data["total"]["average_speed_of_answer"] == 21  # (12 + 30) / 2
    assert data["target_seconds"] == 20 and data["short_abandon_seconds"] == 5
    per_agent = lead.get("/api/v1/call-figures/", {"date": "2026-03-02", "group_by": "agent"}).json()
    assert per_agent["rows"][0]["agent"] == agent_a.username
    assert lead.get("/api/v1/call-figures/", {"group_by": "weather"}).status_code == 400
    assert lead.get("/api/v1/call-figures/", {"start": "2026-03-02T10:00:00+08:00",
                                              "end": "2026-03-02T09:00:00+08:00"}).status_code == 400
    page = lead.get("/contacts/figures/", {"date": "2026-03-02", "interval": 15, "group": "queue,interval"})
    assert page.status_code == 200 and 'id="figures-table"' in page.content.decode()
    assert login(make_user("agent")).get("/api/v1/call-figures/").status_code == 403


@pytest.mark.django_db
def test_services_refuse_those_without_the_right(make_user):
    with pytest.raises(KefuError):
        services.contact_create(actor=make_user("internal_auditor"), channel="fax")
    with pytest.raises(KefuError):
        services.standard_phrase_save(actor=make_user("agent"), data={"step": "hold", "text": "稍等"})
    with pytest.raises(KefuError):
        services.agent_state_set(actor=make_user("management"), state="ready")


@pytest.mark.django_db
def test_record_page(make_user):
    client = login(make_user("agent"))
    assert client.get("/contacts/new/").status_code == 200
    response = client.post("/contacts/new/", {"channel": "walk_in", "summary_what": "咨询退货", "outcome": "resolved"})
    assert response.status_code == 302
    assert Contact.objects.get().channel == "walk_in"
    assert client.post("/contacts/new/", {"channel": "walk_in", "recording_url": "javascript:alert(1)"}
                       ).status_code == 400
