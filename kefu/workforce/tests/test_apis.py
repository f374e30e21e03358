"""/api/v1/workforce/: the same calculators as the commands (R9.2–R9.4), with field-named errors."""

import pytest

from kefu.core.models import Setting

EXAMPLE = {"calls": 100, "interval_seconds": 1800, "aht_seconds": 180, "answer_within_seconds": 20}


@pytest.fixture
def supervisor_api(make_user, api_client_for):
    return api_client_for(make_user("supervisor"))


@pytest.mark.django_db
def test_staffing_through_the_api(supervisor_api):
    response = supervisor_api.post("/api/v1/workforce/staffing/", {**EXAMPLE, "service_level": 0.8,
                                                                   "max_occupancy": 0.85, "shrinkage": 0.3},
                                   format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["model"], data["agents"], data["scheduled_agents"]) == ("erlang_c", 14, 20)
    assert "p_abandon" not in data
    erlang_a = supervisor_api.post("/api/v1/workforce/staffing/", {**EXAMPLE, "agents": 14, "patience_seconds": 300},
                                   format="json").json()
    assert erlang_a["model"] == "erlang_a" and round(erlang_a["p_abandon"], 6) == 0.013984
    exact = supervisor_api.post("/api/v1/workforce/staffing/", {"calls": 17, "interval_seconds": 1,
                                                                "aht_seconds": 1, "agents": 17, "shrinkage": "0.15"},
                                format="json").json()
    assert exact["scheduled_agents"] == 20


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field", "code"), [
    ({"service_level": 1}, "service_level", "out_of_range"),
    ({"service_level": 0.8, "shrinkage": 1}, "shrinkage", "out_of_range"),
    ({"service_level": 0.8, "max_occupancy": 0}, "max_occupancy", "not_positive"),
    ({"agents": -1}, "agents", "negative"),
    ({"service_level": 0.8, "calls": -5}, "calls", "negative"),
    ({}, "service_level", "required"),
    ({"service_level": 0.8, "agents": 3}, "agents", "exclusive"),
    ({"agents": 2.5}, "agents", "invalid"),
    ({"service_level": "eighty"}, "service_level", "invalid"),
])
def test_staffing_errors_name_the_field(supervisor_api, body, field, code):
    response = supervisor_api.post("/api/v1/workforce/staffing/", {**EXAMPLE, **body}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and error["message"] and error["message_en"]
    assert error["code"] == code or {"field": field, "code": code} in [
        {"field": f["field"], "code": f["code"]} for f in error.get("fields", [])]


@pytest.mark.django_db
def test_seats_headcount_trigger_and_defaults(supervisor_api):
    assert supervisor_api.post("/api/v1/workforce/seats/", {"subscribers": 130000}, format="json").json() == {
        "seats": 6}
    headcount = supervisor_api.post("/api/v1/workforce/headcount/", {"seat_hours_per_day": 14, "seats": 3},
                                    format="json").json()
    assert headcount["people"] == pytest.approx(7.5612, abs=1e-4)
    trigger = supervisor_api.post("/api/v1/workforce/seat-trigger/",
                                  {"weekly_answer_rates": [0.93, 0.87, 0.88, 0.86]}, format="json").json()
    assert trigger["propose_seat"] is True and trigger["weeks_below"] == 3
    bad = supervisor_api.post("/api/v1/workforce/seat-trigger/", {"weekly_answer_rates": [93, 87]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "weekly_answer_rates"
    Setting.objects.create(key="workforce.subscribers_per_seat", value=26000)
    defaults = {item["key"]: item for item in supervisor_api.get("/api/v1/workforce/defaults/").json()}
    assert defaults["workforce.subscribers_per_seat"]["value"] == 26000
    assert defaults["workforce.subscribers_per_seat"]["default"] == 20000
    assert defaults["workforce.legal_hours_per_month"]["source"] == "R9.4 [004]"


@pytest.mark.django_db
def test_who_may_use_the_calculators(make_user, api_client_for):
    for role in ("supervisor", "shift_lead", "business_management", "management", "internal_auditor", "admin"):
        response = api_client_for(make_user(role)).post("/api/v1/workforce/seats/", {"subscribers": 1},
                                                        format="json")
        assert response.status_code == 200, role  # a calculation changes nothing: the auditor may run it
    for role in ("agent", "field_engineer", "third_party_partner"):
        response = api_client_for(make_user(role)).post("/api/v1/workforce/seats/", {"subscribers": 1},
                                                        format="json")
        assert response.status_code == 403, role
    assert api_client_for(None).post("/api/v1/workforce/seats/", {"subscribers": 1}).status_code in (401, 403)
