"""An agent opens a ticket from the customer card, moves it through the workflow and answers a status inquiry."""

import pytest
from playwright.sync_api import expect

from kefu.tickets.models import Ticket

from .test_customer_pages import log_in

pytestmark = pytest.mark.browser


def test_agent_creates_and_solves_a_ticket(browser_page, live_server, customer, agent):
    page = browser_page
    log_in(page, live_server.url, agent.username)
    page.goto(live_server.url + f"/customers/{customer.pk}/")
    page.click("text=新建工单")
    page.select_option("select[name=kind]", "repair")
    page.fill("input[name=title]", "POS 终端刷卡无反应")
    page.fill("input[name=location]", "收银台")
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_contain_text("KF")
    ticket = Ticket.objects.get()
    expect(page.locator("#status-sentence")).to_contain_text(f"您的工单{ticket.number}正在处理中")
    page.click("button:has-text('开始处理')")
    expect(page.locator(".badge.state")).to_have_text("处理中")
    form = page.locator("form:has(button:has-text('解决'))")
    form.locator("input[name=reason]").fill("指导商户重新签到后恢复")
    form.locator("button").click()
    expect(page.locator(".badge.state")).to_have_text("已解决")
    expect(page.locator("#timeline")).to_contain_text("指导商户重新签到后恢复")
    page.goto(live_server.url + "/tickets/status/?number=" + ticket.number.lower())
    expect(page.locator("#status-sentence")).to_contain_text("处理结果：指导商户重新签到后恢复")
