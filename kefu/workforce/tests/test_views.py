"""The staffing page /workforce/staffing/ (R9.2–R9.4)."""

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture
def supervisor_client(make_user):
    client = Client()
    client.force_login(make_user("supervisor"))
    return client


@pytest.mark.django_db
def test_the_page_states_the_definitions_and_the_defaults(supervisor_client):
    with translation.override("en"):
        response = supervisor_client.get("/workforce/staffing/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Erlang" in page and "R9.4 [004]" in page and "166.64" in page and "20000" in page


@pytest.mark.django_db
def test_one_interval_on_the_page(supervisor_client):
    response = supervisor_client.get("/workforce/staffing/", {
        "calculate": "staffing", "mode": "target", "calls": "100", "interval_seconds": "1800", "aht_seconds": "180",
        "answer_within_seconds": "20", "service_level": "0.8", "shrinkage": "0.3", "max_occupancy": "0.85"})
    assert response.status_code == 200
    rows = dict(response.context["staffing_rows"])
    assert "14" in rows.values() and "20" in rows.values() and "88.8%" in rows.values()
    erlang_a = supervisor_client.get("/workforce/staffing/", {
        "calculate": "staffing", "mode": "evaluate", "agents": "14", "calls": "100", "interval_seconds": "1800",
        "aht_seconds": "180", "answer_within_seconds": "20", "patience_seconds": "300", "shrinkage": "0",
        "max_occupancy": "1"})
    assert "1.4%" in dict(erlang_a.context["staffing_rows"]).values()  # P(abandon) 0.013984


@pytest.mark.django_db
def test_errors_are_shown_next_to_their_field(supervisor_client):
    response = supervisor_client.get("/workforce/staffing/", {
        "calculate": "staffing", "mode": "target", "calls": "100", "interval_seconds": "1800", "aht_seconds": "180",
        "answer_within_seconds": "20", "service_level": "1", "shrinkage": "0", "max_occupancy": "1"})
    assert response.status_code == 400
    assert response.context["staffing_form"].errors["service_level"]


@pytest.mark.django_db
def test_seats_headcount_and_trigger_on_the_page(supervisor_client):
    seats = supervisor_client.get("/workforce/staffing/", {"calculate": "seats", "seats-subscribers": "130000",
                                                           "seats-subscribers_per_seat": "20000"})
    assert seats.context["seats"] == {"seats": 6}
    headcount = supervisor_client.get("/workforce/staffing/", {
        "calculate": "headcount", "headcount-seat_hours_per_day": "14", "headcount-days_per_month": "30",
        "headcount-legal_hours_per_month": "166.64", "headcount-seats": "3"})
    assert headcount.context["headcount"]["people"] == pytest.approx(7.5612, abs=1e-4)
    trigger = supervisor_client.get("/workforce/staffing/", {
        "calculate": "trigger", "trigger-weekly_answer_rates": "0.93，0.87, 0.88 0.86"})
    assert trigger.context["trigger"].propose_seat


@pytest.mark.django_db
def test_agents_do_not_see_the_staffing_page(make_user):
    client = Client()
    client.force_login(make_user("agent"))
    assert client.get("/workforce/staffing/").status_code == 403
