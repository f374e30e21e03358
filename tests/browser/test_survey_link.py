"""A customer answers a satisfaction survey from the link in an SMS, on a phone, without logging in (R7.5 [004]);
the link works once; a tampered or expired link is refused in Chinese and English."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kefu.callbacks import services
from kefu.callbacks.models import SatisfactionSurvey, SmsMessage
from kefu.core import clock

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_customer_answers_the_survey_link_on_a_phone(browser_page, live_server, customer, agent):
    page = browser_page
    page.set_viewport_size(PHONE)
    survey, link = services.survey_send(actor=agent, channel="sms", customer=customer, base_url=live_server.url)
    message = SmsMessage.objects.get(survey=survey)
    assert message.status == SmsMessage.Status.SENT and link in message.text  # the log gateway "sent" it
    questions = list(survey.form.questions.order_by("order"))

    page.goto(link)
    assert "/login" not in page.url
    expect(page.locator("h1")).to_have_text("客户满意度调查")
    # Made for a phone: nothing wider than the screen, a submit button the width of the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    button = page.locator("#survey-form button[type=submit]").bounding_box()
    assert button["width"] >= PHONE["width"] * 0.8
    page.check(f"input[name=q_{questions[0].pk}][value='5']")
    page.check(f"input[name=q_{questions[1].pk}][value='4']")
    page.check(f"input[name=q_{questions[2].pk}][value='yes']")
    page.fill(f"textarea[name=q_{questions[3].pk}]", "工程师上门很及时")
    page.click("#survey-form button[type=submit]")
    expect(page.locator("#survey-thanks")).to_contain_text("感谢您的评价")
    survey.refresh_from_db()
    assert survey.status == SatisfactionSurvey.Status.ANSWERED and str(survey.score) == "4.50"
    assert survey.answers.get(question=questions[3]).value == "工程师上门很及时"

    page.goto(link)  # the same link again
    error = page.locator("#survey-error")
    expect(error).to_have_attribute("data-code", "link_used")
    expect(error).to_contain_text("can be used only once")
    expect(page.locator("#survey-form")).to_have_count(0)

    other, other_link = services.survey_send(actor=agent, channel="web", customer=customer,
                                             base_url=live_server.url)
    token = other_link.rstrip("/").rsplit("/", 1)[1]
    page.goto(other_link.replace(token, token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")))
    expect(page.locator("#survey-error")).to_have_attribute("data-code", "link_invalid")
    expect(page.locator("#survey-error")).to_contain_text("This survey link is not valid.")

    SatisfactionSurvey.objects.filter(pk=other.pk).update(expires_at=clock.now() - timedelta(minutes=1))
    page.goto(other_link)
    expect(page.locator("#survey-error")).to_have_attribute("data-code", "link_expired")
    expect(page.locator("#survey-error")).to_contain_text("This survey link has expired.")
    other.refresh_from_db()
    assert other.status == SatisfactionSurvey.Status.SENT and not other.answers.exists()
