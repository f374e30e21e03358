"""Browser tests drive Debian's chromium through Playwright (Playwright's own browser download cannot work
here). CI installs chromium and sets KEFU_CHROMIUM; locally the tests are skipped when it is missing."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("KEFU_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") or os.environ.get("KEFU_CHROMIUM"):
            pytest.fail(f"chromium not found at {CHROMIUM}")
        pytest.skip("chromium is not installed")
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()
        browser.close()
