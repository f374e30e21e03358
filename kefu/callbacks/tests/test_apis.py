"""Callbacks and surveys through the API: who may do what (R1.3), the error shape, the OpenAPI schema."""


import pytest

from kefu.callbacks.models import Callback, CallbackForm
from kefu.callbacks.tests.factories import plain_callback
from kefu.core import clock

# (role, method, path, expected status): business management plans, agents call, QA and management read,
# the internal auditor reads and changes nothing, a field engineer sees no callbacks.
TABLE = [
    ("agent", "get", "/api/v1/callbacks/", 200),
    ("agent", "post", "/api/v1/callbacks/plan-day/", 403),
    ("agent", "get", "/api/v1/callbacks/figures/", 403),
    ("agent", "get", "/api/v1/surveys/", 403),
    ("agent", "get", "/api/v1/callback-forms/", 200),
    ("business_management", "post", "/api/v1/callbacks/plan-day/", 200),
    ("business_management", "get", "/api/v1/callbacks/figures/", 200),
    ("business_management", "get", "/api/v1/callback-rules/", 200),
    ("qa_inspector", "get", "/api/v1/callbacks/", 200),
    ("qa_inspector", "get", "/api/v1/surveys/figures/", 200),
    ("qa_inspector", "post", "/api/v1/callbacks/plan-day/", 403),
    ("qa_inspector", "post", "/api/v1/surveys/", 403),
    ("management", "get", "/api/v1/callbacks/export/", 200),
    ("management", "get", "/api/v1/sms-outbox/", 200),
    ("internal_auditor", "get", "/api/v1/callbacks/", 200),
    ("internal_auditor", "get", "/api/v1/callbacks/export/", 200),
    ("internal_auditor", "post", "/api/v1/callbacks/plan-day/", 403),
    ("internal_auditor", "post", "/api/v1/surveys/", 403),
    ("field_engineer", "get", "/api/v1/callbacks/", 403),
    ("third_party_partner", "get", "/api/v1/surveys/figures/", 403),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "method", "path", "expected"), TABLE)
def test_each_role_gets_what_it_may(role, method, path, expected, make_user, api_client_for):
    client = api_client_for(make_user(role))
    response = getattr(client, method)(path, {} if method == "get" else {"spread": False}, format="json")
    assert response.status_code == expected, response.content[:300]
    if expected == 403:
        assert response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_an_agent_sees_his_own_callbacks_only(make_agent, api_client_for, customer):
    mine, theirs = make_agent(), make_agent()
    own = plain_callback(agent=mine, customer=customer)
    other = plain_callback(agent=theirs, customer=customer)
    client = api_client_for(mine)
    assert [c["id"] for c in client.get("/api/v1/callbacks/").json()["results"]] == [own.pk]
    assert [c["id"] for c in client.get("/api/v1/callbacks/?mine=1").json()["results"]] == [own.pk]
    assert client.get(f"/api/v1/callbacks/{other.pk}/").status_code == 404
    assert client.get("/api/v1/callbacks/").json()["results"][0]["phone"] == "138****5678"  # masked in lists
    detail = client.get(f"/api/v1/callbacks/{own.pk}/").json()
    assert detail["phone"] == "13812345678"  # he must dial it: shown in full, and logged once
    client.get(f"/api/v1/callbacks/{own.pk}/")
    from kefu.customers.models import RevealLog

    log = RevealLog.objects.get()
    assert (log.user, log.customer, log.field, log.reason) == (mine, customer, "phone", f"回访 #{own.pk}")
    assert log.object_id == customer.phones.get(number="13812345678").pk
    assert detail["script"][1]["text"] == f"您好,我是客服中心客户服务部的客服专员,工号{mine.work_number}。"
    assert detail["history"]["since"]
    assert api_client_for(theirs).get(f"/api/v1/callbacks/{own.pk}/").status_code == 404


@pytest.mark.django_db
def test_plan_call_and_refusals_through_the_api(planner, make_agent, api_client_for, customer, make_user, desk):
    first, second = make_agent("坐席甲"), make_agent("坐席乙")
    plan = api_client_for(planner)
    created = plan.post("/api/v1/callbacks/", {"planned_for": clock.today().isoformat(), "customer": customer.pk,
                                               "reason": "装机满意度回访", "agent": first.username}, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["agent"] == first.username and body["status"] == "planned"
    assert body["phone"] == "138****5678"  # the planner does not dial it
    pk = body["id"]
    form = CallbackForm.objects.get(code="service_quality")
    questions = list(form.questions.order_by("order"))
    answers = [{"question": questions[0].pk, "value": "no"}] + [
        {"question": q.pk, "value": "2"} for q in questions[1:4]]
    call = api_client_for(first)
    bad = call.post(f"/api/v1/callbacks/{pk}/call/", {"version": body["version"], "outcome": "reached",
                                                       "answers": answers[:2], "solution_accepted": False},
                    format="json")
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == "required" and error["field"] == f"answers.{questions[2].pk}"
    assert error["message"] and error["message_en"].startswith("Answer the question")
    done = call.post(f"/api/v1/callbacks/{pk}/call/", {"version": body["version"], "outcome": "reached",
                                                        "answers": answers, "solution_accepted": False,
                                                        "note": "客户不接受"}, format="json")
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "rejected" and done.json()["retries"]
    retry = done.json()["retries"][0]
    retry_version = Callback.objects.get(pk=retry).version
    refused = plan.post(f"/api/v1/callbacks/{retry}/assign/", {"version": retry_version,
                                                               "agent": first.username}, format="json")
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert (error["code"], error["field"]) == ("same_agent", "agent")
    assert "坐席甲" in error["message"] and "another agent" in error["message_en"]
    stale = plan.post(f"/api/v1/callbacks/{retry}/assign/", {"version": 99, "agent": second.username},
                      format="json")
    assert stale.status_code == 409 and stale.json()["error"]["field"] == "version"
    ok = plan.post(f"/api/v1/callbacks/{retry}/assign/", {"version": retry_version, "agent": second.username},
                   format="json")
    assert ok.status_code == 200 and ok.json()["agent"] == second.username
    assert call.post(f"/api/v1/callbacks/{retry}/call/", {"version": ok.json()["version"],
                                                          "outcome": "no_answer"}, format="json").status_code == 404
    auditor = api_client_for(make_user("internal_auditor"))
    assert auditor.get(f"/api/v1/callbacks/{retry}/").status_code == 200
    assert auditor.post(f"/api/v1/callbacks/{retry}/cancel/", {"version": 1, "reason": "x"},
                        format="json").status_code == 403
    spread = plan.post("/api/v1/callbacks/plan-day/", {"teams": [desk.code]}, format="json").json()
    assert spread["generated"]["day"] == clock.today().isoformat()
    assert spread["spread"]["agents"] == [first.username, second.username]


@pytest.mark.django_db
def test_surveys_through_the_api(agent, make_user, api_client_for, customer, django_capture_on_commit_callbacks):
    client = api_client_for(agent)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/api/v1/surveys/", {"channel": "sms", "customer": customer.pk}, format="json")
    assert sent.status_code == 201, sent.json()
    assert "/callbacks/s/" in sent.json()["link"] and sent.json()["survey"]["phone"] == "138****5678"
    refused = client.post("/api/v1/surveys/", {"channel": "sms", "phone": "021-62345678"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "phone"
    reader = api_client_for(make_user("qa_inspector"))
    outbox = reader.get("/api/v1/sms-outbox/").json()["results"]
    assert outbox[0]["status"] == "sent" and outbox[0]["to"] == "138****5678"
    figures = reader.get("/api/v1/surveys/figures/").json()
    assert {c["channel"]: c["sent"] for c in figures["channels"]} == {"phone": 0, "sms": 1, "web": 0}
    survey = reader.get(f"/api/v1/surveys/{sent.json()['survey']['id']}/").json()
    assert survey["status"] == "sent" and survey["answers"] == []


@pytest.mark.django_db
def test_the_openapi_schema_covers_callbacks_without_warnings(agent):
    from drf_spectacular.drainage import GENERATOR_STATS, reset_generator_stats
    from drf_spectacular.generators import SchemaGenerator

    reset_generator_stats()
    GENERATOR_STATS.silent = True
    try:
        schema = SchemaGenerator().get_schema(request=None, public=True)
    finally:
        GENERATOR_STATS.silent = False
    problems = [m for m in list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
                if "callbacks" in m or "Callback" in m or "Survey" in m or "Sms" in m]
    assert not problems, problems
    for path in ("/api/v1/callbacks/", "/api/v1/callbacks/{id}/call/", "/api/v1/callbacks/plan-day/",
                 "/api/v1/callbacks/export/", "/api/v1/surveys/", "/api/v1/surveys/figures/", "/api/v1/sms-outbox/"):
        assert path in schema["paths"], path
