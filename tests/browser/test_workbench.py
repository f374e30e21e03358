"""The agent workbench in a real browser (R3.2): a call for the agent's extension pops the customer card without
a reload, then he records the call and closes a consultation ticket in one step."""

import json
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from kefu.contacts.models import Contact
from kefu.contacts.telephony.signing import signed_headers
from kefu.tickets.models import Ticket

from .test_customer_pages import log_in

pytestmark = pytest.mark.browser
SECRET = "browser-telephony-secret"


def post_signed(base_url: str, event: dict) -> dict:
    body = json.dumps(event, ensure_ascii=False).encode()
    request = urllib.request.Request(base_url + "/api/v1/telephony/events", data=body, method="POST", headers={
        "Content-Type": "application/json", **signed_headers(SECRET, body, now=time.time())})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_a_call_pops_the_card_and_is_recorded_in_one_step(browser_page, live_server, customer, make_user,
                                                          monkeypatch, settings):
    monkeypatch.setenv("KEFU_TELEPHONY_SECRET", SECRET)
    settings.KEFU_PUSH_STREAM_SECONDS = 30
    settings.KEFU_PUSH_HEARTBEAT_SECONDS = 1
    agent = make_user("agent", username="wangfang", work_number="1007", extension="8007", full_name="王芳")
    page = browser_page
    log_in(page, live_server.url, agent.username)
    page.goto(live_server.url + "/contacts/workbench/")
    expect(page.locator("#greeting")).to_have_text("您好!工号1007为您服务。请问有什么可以帮您的?")
    expect(page.locator("#stream-state")).to_have_attribute("data-state", "connected")
    page.evaluate("window.kefuNotReloaded = true")

    sent = time.monotonic()
    result = post_signed(live_server.url, {
        "id": "evt-browser-1", "type": "offered", "call_id": "call-browser-1", "caller": "13812345678",
        "called": "4008208820", "agent": "8007", "timestamp": time.time()})
    assert result["results"][0]["status"] == "applied"
    card = page.locator("#customer-card")
    expect(card).to_contain_text("上海浦东张记餐饮店", timeout=1000)
    assert time.monotonic() - sent < 1.0
    assert page.evaluate("window.kefuNotReloaded") is True  # pushed, not reloaded
    expect(card).to_contain_text("138****5678")
    expect(card).not_to_contain_text("13812345678")
    expect(page.locator("#call-timer")).to_have_attribute("data-state", "running")
    post_signed(live_server.url, {"id": "evt-browser-2", "type": "answered", "call_id": "call-browser-1",
                                  "agent": "8007", "timestamp": time.time()})

    form = page.locator("#record-form")
    form.locator("input[name=summary_who]").fill("张老板")
    form.locator("textarea[name=summary_what]").fill("询问如何打印结算单")
    form.locator("input[name=action][value=consultation]").check()
    form.locator("textarea[name=resolution]").fill("指导商户在主菜单打印结算单")
    form.locator("#record-button").click()
    outcome = page.locator("#record-result")
    expect(outcome).to_contain_text("KF")
    expect(page.locator("#call-timer")).to_have_attribute("data-state", "done")

    contact = Contact.objects.get(call_id="call-browser-1")
    ticket = Ticket.objects.get()
    assert (ticket.kind.code, ticket.state.is_closed, ticket.resolution) == (
        "consultation", True, "指导商户在主菜单打印结算单")
    assert list(contact.tickets.all()) == [ticket] and contact.outcome == "resolved"
    assert (contact.agent, contact.customer, contact.summary_who) == (agent, customer, "张老板")
    expect(outcome).to_contain_text(ticket.number)
    # Leave the page: the server notices at its next heartbeat and ends the stream (and, on PostgreSQL, closes
    # its LISTEN connection) before the test database is dropped.
    page.goto("about:blank")
    time.sleep(2 * settings.KEFU_PUSH_HEARTBEAT_SECONDS + 0.5)
