"""A user's path through the customer pages in a real browser (R2.2, R2.3, R1.3)."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD
from kefu.customers.models import RevealLog

pytestmark = pytest.mark.browser


def log_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base_url + "/")


def test_agent_finds_a_caller_by_phone_and_reveals_the_number(browser_page, live_server, customer, agent):
    page = browser_page
    log_in(page, live_server.url, agent.username)
    expect(page.locator("header nav")).to_contain_text("客户")
    expect(page.locator("header nav")).not_to_contain_text("明文查看日志")
    page.goto(live_server.url + "/customers/")
    page.fill("input[name=q]", "138 1234 5678")  # htmx searches as the agent types
    table = page.locator("#customer-table")
    expect(table).to_contain_text("上海浦东张记餐饮店")
    expect(table).to_contain_text("138****5678")
    expect(table).not_to_contain_text("13812345678")
    page.click("text=KH0001")
    expect(page.locator("h1")).to_contain_text("上海浦东张记餐饮店")
    mobile = page.locator(".pii", has_text="138****5678")
    mobile.locator("summary").click()
    mobile.locator("input[name=reason]").fill("客户来电，核实回拨号码")
    mobile.locator("button[type=submit]").click()
    expect(page.locator(".revealed")).to_have_text("13812345678")
    log = RevealLog.objects.get()
    assert (log.user, log.field, log.reason) == (agent, "phone", "客户来电，核实回拨号码")


def test_auditor_reads_but_sees_no_edit_controls(browser_page, live_server, customer, auditor):
    page = browser_page
    log_in(page, live_server.url, auditor.username)
    expect(page.locator("header")).to_contain_text("只读")
    page.goto(live_server.url + f"/customers/{customer.pk}/")
    expect(page.locator("h1")).to_contain_text("上海浦东张记餐饮店")
    expect(page.locator("a", has_text="编辑")).to_have_count(0)
    response = page.goto(live_server.url + f"/customers/{customer.pk}/edit/")
    assert response.status == 403


def test_supervisor_imports_a_file_and_sees_the_report(browser_page, live_server, make_user, tmp_path):
    supervisor = make_user("supervisor")
    page = browser_page
    log_in(page, live_server.url, supervisor.username)
    path = tmp_path / "客户.csv"
    path.write_bytes("customer_number,name,kind,phones\nKH5001,成都武侯刘记火锅,merchant,028-85123456\n"
                     "KH5002,,merchant,12345\n".encode("gb18030"))
    page.goto(live_server.url + "/customers/imports/")
    page.set_input_files("input[type=file]", str(path))
    page.click("main button[type=submit]")
    report = page.locator("#report")
    expect(report).to_contain_text("phones")  # the worker ran the dry run; the page polled for it
    expect(report).to_contain_text("3")
