"""Satisfaction surveys by SMS and web link (R7.5 [004]): signed, expiring, single-use links; the SMS gateway;
the figures by channel."""

import threading
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import signing
from django.db import connection

from kefu.callbacks import selectors, services, sms
from kefu.callbacks.models import CallbackForm, SatisfactionSurvey, SmsMessage, SurveyAnswer
from kefu.core.errors import FieldError, KefuError
from kefu.tickets.models import TicketEvent

SH = ZoneInfo("Asia/Shanghai")


def survey_answers(overall="5", speed="4", solved="yes", words="很满意") -> dict:
    questions = list(CallbackForm.objects.get(code="satisfaction_survey").questions.order_by("order"))
    return {questions[0].pk: overall, questions[1].pk: speed, questions[2].pk: solved, questions[3].pk: words}


@pytest.fixture
def ticket(make_user, customer):
    from kefu.tickets.models import TicketKind
    from kefu.tickets.services import ticket_create

    return ticket_create(actor=make_user("agent"), kind=TicketKind.objects.get(code="repair"), title="POS 无法开机",
                         customer=customer)


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.mark.django_db
def test_an_sms_survey_goes_through_the_gateway_after_the_commit(agent, ticket, django_capture_on_commit_callbacks,
                                                                 caplog):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        with django_capture_on_commit_callbacks(execute=False) as pending:
            survey, link = services.survey_send(actor=agent, channel="sms", ticket=ticket,
                                                base_url="https://kefu.example.cn/")
            message = SmsMessage.objects.get()
            assert message.status == SmsMessage.Status.QUEUED  # nothing leaves before the commit
        assert len(pending) == 1
        with caplog.at_level("INFO", logger="kefu.sms"):
            pending[0]()
    message.refresh_from_db()
    assert survey.phone == "13812345678" and message.to == "13812345678"  # the customer's mobile
    assert link.startswith("https://kefu.example.cn/callbacks/s/") and link in message.text
    assert message.text.startswith("【客服中心】") and "72小时内有效" in message.text
    assert message.status == SmsMessage.Status.SENT and message.message_id.startswith("log-")
    assert message.backend == "kefu.callbacks.sms.LogBackend" and link in caplog.text
    assert survey.expires_at == datetime(2026, 3, 5, 10, 0, tzinfo=SH)
    assert TicketEvent.objects.filter(ticket=ticket, action="survey_sent").exists()
    assert sms.sms_deliver(message.pk) is None  # sent once, never twice


class BrokenGateway:
    def send(self, to: str, text: str) -> str:
        raise ConnectionError("gateway unreachable")


@pytest.mark.django_db
def test_a_failing_gateway_is_recorded_on_the_outbox(agent, settings, django_capture_on_commit_callbacks):
    settings.KEFU_SMS_BACKEND = "kefu.callbacks.tests.test_surveys.BrokenGateway"
    with django_capture_on_commit_callbacks(execute=True):
        survey, _link = services.survey_send(actor=agent, channel="sms", phone="139-0000-1111")
    message = SmsMessage.objects.get(survey=survey)
    assert message.status == SmsMessage.Status.FAILED and "gateway unreachable" in message.error


@pytest.mark.django_db
def test_sending_is_refused_with_a_clear_message(agent, make_user, customer):
    for kwargs, field, code in (({"channel": "fax"}, "channel", "invalid_choice"),
                                ({"channel": "sms"}, "phone", "required"),
                                ({"channel": "sms", "phone": "021-62345678"}, "phone", "not_mobile"),
                                ({"channel": "sms", "phone": "12345"}, "phone", "phone_invalid")):
        with pytest.raises(FieldError) as error:
            services.survey_send(actor=agent, **kwargs)
        assert (error.value.field, error.value.code) == (field, code), kwargs
    with pytest.raises(KefuError) as forbidden:
        services.survey_send(actor=make_user("qa_inspector"), channel="web", customer=customer)
    assert forbidden.value.status == 403
    assert not SatisfactionSurvey.objects.exists() and not SmsMessage.objects.exists()


@pytest.mark.django_db
def test_a_link_is_answered_once_and_tampering_or_expiry_is_refused(agent, ticket):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        survey, link = services.survey_send(actor=agent, channel="web", ticket=ticket)
        token = token_of(link)
        assert services.survey_read(token) == survey
        forged = signing.dumps({"s": survey.pk, "n": "0" * 32}, salt=services.SURVEY_SALT)
        for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "abc", forged,
                    signing.dumps({"s": survey.pk, "n": survey.nonce}, salt="another-salt")):
            with pytest.raises(KefuError) as invalid:
                services.survey_read(bad)
            assert (invalid.value.code, invalid.value.status) == ("link_invalid", 404)
        with pytest.raises(FieldError) as missing:
            services.survey_submit(token=token, answers={})
        assert missing.value.field.startswith("answers.")
        answered = services.survey_submit(token=token, answers=survey_answers())
        assert (answered.status, answered.score, answered.satisfied) == ("answered", Decimal("4.50"), True)
        assert SurveyAnswer.objects.filter(survey=survey).count() == 4
        assert TicketEvent.objects.filter(ticket=ticket, action="satisfaction", new="4.50").exists()
        with pytest.raises(KefuError) as used:
            services.survey_submit(token=token, answers=survey_answers(overall="1"))
        assert (used.value.code, used.value.status) == ("link_used", 410)
        assert "once" in used.value.message_en and used.value.message_zh
        assert SurveyAnswer.objects.filter(survey=survey).count() == 4  # the first answers stay
        late, late_link = services.survey_send(actor=agent, channel="web", ticket=ticket)
    with time_machine.travel(datetime(2026, 3, 5, 10, 0, 1, tzinfo=SH), tick=False):
        with pytest.raises(KefuError) as expired:
            services.survey_read(token_of(late_link))
        assert (expired.value.code, expired.value.status) == ("link_expired", 410)
    late.refresh_from_db()
    assert late.status == "sent" and late.answered_at is None


@pytest.mark.django_db
def test_a_withdrawn_link_is_refused(agent, make_user, customer):
    survey, link = services.survey_send(actor=agent, channel="web", customer=customer)
    services.survey_cancel(actor=agent, survey=survey)
    with pytest.raises(KefuError) as cancelled:
        services.survey_read(token_of(link))
    assert cancelled.value.code == "link_cancelled"


def run_in_threads(count: int, target) -> list:
    barrier = threading.Barrier(count)
    results: list = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait()
            outcome = target(index)
        except Exception as error:  # noqa: BLE001 — the test inspects every outcome
            outcome = error
        finally:
            connection.close()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_one_wins(agent, customer):
    survey, link = services.survey_send(actor=agent, channel="web", customer=customer)
    token = token_of(link)
    results = run_in_threads(2, lambda i: services.survey_submit(
        token=token, answers=survey_answers(overall=str(5 - i), words=f"第{i}份")))
    wins = [r for r in results if isinstance(r, SatisfactionSurvey)]
    refused = [r for r in results if isinstance(r, KefuError)]
    assert len(wins) == 1 and len(refused) == 1, results
    assert refused[0].code == "link_used"
    survey.refresh_from_db()
    assert survey.status == "answered" and survey.score == wins[0].score
    assert SurveyAnswer.objects.filter(survey=survey).count() == 4


@pytest.mark.django_db
def test_satisfaction_figures_by_channel(agent, customer, planner, make_agent):
    from kefu.callbacks.tests.test_services import quality_answers

    caller = make_agent()
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
        _s1, link1 = services.survey_send(actor=agent, channel="sms", customer=customer)
        services.survey_send(actor=agent, channel="sms", customer=customer)
        _s3, link3 = services.survey_send(actor=agent, channel="web", customer=customer)
        services.survey_submit(token=token_of(link1), answers=survey_answers(overall="5", speed="5"))
        services.survey_submit(token=token_of(link3), answers=survey_answers(overall="2", speed="3"))
        callback = services.callback_create(actor=planner, planned_for=date(2026, 3, 2), customer=customer,
                                            agent=caller)
        services.callback_record_call(actor=caller, callback=callback, version=callback.version, outcome="reached",
                                      answers=quality_answers(scores=(4, 4, 3)))
        figures = selectors.satisfaction_figures(start=date(2026, 3, 1), end=date(2026, 3, 31))
    by_channel = {c.channel: c for c in figures["channels"]}
    assert (by_channel["sms"].sent, by_channel["sms"].answered, by_channel["sms"].response_rate) == (2, 1, 0.5)
    assert (by_channel["sms"].average_score, by_channel["sms"].satisfied_share) == (Decimal("5.00"), 1.0)
    assert (by_channel["web"].average_score, by_channel["web"].satisfied_share) == (Decimal("2.50"), 0.0)
    assert (by_channel["phone"].sent, by_channel["phone"].answered, by_channel["phone"].average_score) == (
        1, 1, Decimal("3.67"))
    total = figures["total"]
    assert (total.sent, total.answered, total.satisfied) == (4, 3, 1)
    assert total.average_score == Decimal("3.72")  # (5 + 2.5 + 3.67) / 3
    outside = selectors.satisfaction_figures(start=date(2026, 4, 1), end=date(2026, 4, 30))
    assert outside["total"].sent == 0 and outside["total"].response_rate is None
