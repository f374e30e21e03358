import pytest
from django.test import Client

from kefu.customers.models import Customer


def form_data(customer=None, **overrides):
    data = {
        "customer_number": "KH0001", "merchant_number": "898310048160001", "kind": "merchant",
        "name": "上海浦东张记餐饮店", "id_number": "", "branch": "", "business_hours": "", "notes": "",
    }
    for prefix in ("phones", "contact_persons", "addresses", "devices"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_edit_keeps_masked_values_the_agent_did_not_touch(customer, agent):
    client = Client()
    client.force_login(agent)
    page = client.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert "138****5678" in page and "13812345678" not in page
    mobile = customer.phones.get(kind="mobile")
    landline = customer.phones.get(kind="landline")
    address = customer.addresses.get()
    data = form_data(
        id_number="3101**********1234", business_hours="09:00–21:00",
        **{"phones-TOTAL_FORMS": "3", "phones-INITIAL_FORMS": "2",
           "phones-0-id": mobile.pk, "phones-0-number": "138****5678", "phones-0-label": "店主手机",
           "phones-1-id": landline.pk, "phones-1-number": "021****5678", "phones-1-extension": "801",
           "phones-2-number": "13900001111",
           "addresses-TOTAL_FORMS": "1", "addresses-INITIAL_FORMS": "1", "addresses-0-id": address.pk,
           "addresses-0-kind": "business", "addresses-0-address": "上海市浦东新区****", "addresses-0-is_primary": "on"},
    )
    response = client.post(f"/customers/{customer.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    customer.refresh_from_db()
    assert customer.id_number == "310115198805061234" and customer.business_hours == "09:00–21:00"
    assert sorted(customer.phones.values_list("number", flat=True)) == ["02162345678", "13812345678", "13900001111"]
    assert customer.addresses.get().address == "上海市浦东新区张江路88号3楼"
    # Devices and contacts not sent are removed: the form is the whole customer.
    assert not customer.devices.exists()


@pytest.mark.django_db
def test_a_bad_phone_on_the_form_is_shown_next_to_its_field(agent):
    client = Client()
    client.force_login(agent)
    data = form_data(customer_number="KH0100", **{"phones-TOTAL_FORMS": "2", "phones-0-number": "13812345678",
                                                  "phones-1-number": "021-1234"})
    response = client.post("/customers/new/", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "021-1234" in page and "errorlist" in page
    assert not Customer.objects.exists()


@pytest.mark.django_db
def test_search_page_and_htmx_fragment(customer, agent):
    client = Client()
    client.force_login(agent)
    page = client.get("/customers/", {"q": "张记"}).content.decode()
    assert "KH0001" in page and "<html" in page
    fragment = client.get("/customers/", {"q": "021 6234 5678"}, HTTP_HX_REQUEST="true").content.decode()
    assert "KH0001" in fragment and "<html" not in fragment and "021****5678" in fragment
