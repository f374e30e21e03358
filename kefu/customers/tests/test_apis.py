import pytest

from kefu.customers.models import Customer, RevealLog


@pytest.mark.django_db
def test_create_customer_through_the_api(agent, api_client_for):
    client = api_client_for(agent)
    response = client.post("/api/v1/customers/", {
        "customer_number": "kh7001", "kind": "merchant", "name": "深圳南山陈记便利店",
        "phones": [{"number": "0755-26543210", "extension": "8"}, {"number": "13900001111"}],
        "addresses": [{"address": "广东省深圳市南山区科技园路1号"}],
    }, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["customer_number"] == "KH7001"
    assert {p["number"] for p in data["phones"]} == {"0755****3210", "139****1111"}
    assert data["addresses"][0]["address"] == "广东省深圳市南山区****"


@pytest.mark.django_db
def test_bad_input_names_the_field_in_chinese_and_english(agent, api_client_for):
    client = api_client_for(agent)
    response = client.post("/api/v1/customers/", {"customer_number": "KH7002", "kind": "merchant", "name": "x",
                                                   "phones": [{"number": "021-1234"}]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "phones[0].number" and error["code"] == "phone_invalid"
    assert error["message"] != error["message_en"]
    response = client.post("/api/v1/customers/", {"kind": "alien"}, format="json")
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert {f["field"] for f in error["fields"]} == {"customer_number", "kind", "name"}
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_duplicate_customer_number_is_a_clear_error(customer, agent, api_client_for):
    response = api_client_for(agent).post("/api/v1/customers/", {"customer_number": "KH0001", "kind": "merchant",
                                                                 "name": "重复"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "customer_number"


@pytest.mark.django_db
def test_patch_and_history(customer, make_user, api_client_for):
    lead = make_user("shift_lead")
    client = api_client_for(lead)
    response = client.patch(f"/api/v1/customers/{customer.pk}/", {"business_hours": "08:00–22:00"}, format="json")
    assert response.status_code == 200
    history = client.get(f"/api/v1/customers/{customer.pk}/history/").json()
    change = history[0]
    assert change["history_type"] == "changed" and change["user"] == str(lead)
    assert change["changes"] == [{"field": "business_hours", "old": "", "new": "08:00–22:00"}]
    # Phone numbers in the history are masked too.
    assert "13812345678" not in str(history) and "138****5678" in str(history)


@pytest.mark.django_db
def test_reveal_through_the_api_is_logged(customer, agent, api_client_for):
    client = api_client_for(agent)
    phone = customer.phones.get(kind="mobile")
    response = client.post(f"/api/v1/customers/{customer.pk}/reveal/", {"field": "phone", "object_id": phone.pk},
                           format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "reason"
    response = client.post(f"/api/v1/customers/{customer.pk}/reveal/",
                           {"field": "phone", "object_id": phone.pk, "reason": "回拨客户"}, format="json")
    assert response.json()["value"] == "13812345678"
    assert RevealLog.objects.get().reason == "回拨客户"


@pytest.mark.django_db
def test_token_authentication(agent, client):
    response = client.post("/api/v1/auth/token/", {"username": agent.username, "password": "Correct-horse-2026"},
                           content_type="application/json")
    token = response.json()["token"]
    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert me["work_number"] == agent.work_number and "customers.customer:view" in me["permissions"]
    response = client.post("/api/v1/auth/token/", {"username": agent.username, "password": "wrong"},
                           content_type="application/json")
    assert response.status_code == 401 and response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_openapi_schema_covers_every_api_route(agent, client):
    import re

    from django.urls import get_resolver

    from kefu.core.tests.test_permission_walk import iter_routes

    client.force_login(agent)
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    documented = set(schema["paths"])
    api_routes = {"/" + route for route, *_ in iter_routes(get_resolver().url_patterns)
                  if route.startswith("api/v1/") and not route.startswith(("api/v1/schema", "api/v1/docs"))}
    # drf-spectacular names a primary key "id" in paths.
    expected = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}") for route in api_routes}
    assert expected <= documented, expected - documented
