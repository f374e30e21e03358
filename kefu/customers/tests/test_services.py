import pytest

from kefu.core.errors import FieldError, KefuError
from kefu.customers.models import Customer, CustomerPhone, RevealLog
from kefu.customers.services import customer_reveal, customer_save


@pytest.mark.django_db
def test_customer_with_details_is_saved_normalised(customer):
    assert customer.customer_number == "KH0001"
    numbers = sorted(customer.phones.values_list("number", "extension", "kind"))
    assert numbers == [("02162345678", "801", "landline"), ("13812345678", "", "mobile")]
    assert customer.devices.get().serial_number == "S910-0001"
    assert customer.contact_persons.get().name == "张伟"


@pytest.mark.django_db
def test_a_bad_phone_names_its_field_and_writes_nothing(make_customer):
    with pytest.raises(FieldError) as info:
        make_customer(customer_number="BAD1", phones=[{"number": "13812345678"}, {"number": "12345"}])
    assert info.value.field == "phones[1].number"
    assert not Customer.objects.filter(customer_number="BAD1").exists()
    assert not CustomerPhone.objects.filter(number="13812345678").exists()


@pytest.mark.django_db
def test_duplicate_customer_and_merchant_numbers_are_refused(customer, make_customer):
    with pytest.raises(FieldError) as info:
        make_customer(customer_number="kh0001")  # numbers are compared in upper case
    assert info.value.field == "customer_number"
    with pytest.raises(FieldError) as info:
        make_customer(customer_number="KH0002", merchant_number="898310048160001")
    assert info.value.field == "merchant_number"
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_the_same_number_twice_on_one_customer_is_refused(make_customer):
    with pytest.raises(FieldError) as info:
        make_customer(phones=[{"number": "13812345678"}, {"number": "+86 138 1234 5678"}])
    assert info.value.field == "phones[1].number"


@pytest.mark.django_db
def test_nested_list_replaces_details(customer):
    mobile = customer.phones.get(kind="mobile")
    customer_save(actor=None, customer=customer, data={}, nested={"phones": [
        {"id": mobile.pk, "number": mobile.number, "label": "新标签"}, {"number": "0755-26543210"}]})
    assert sorted(customer.phones.values_list("number", "label")) == [("075526543210", ""), ("13812345678", "新标签")]


@pytest.mark.django_db
def test_every_change_is_in_the_history(customer, agent):
    customer_save(actor=agent, customer=customer, data={"name": "上海浦东张记餐饮（新店）"})
    latest = customer.history.first()
    assert latest.name == "上海浦东张记餐饮（新店）"
    delta = latest.diff_against(latest.prev_record)
    changes = [(c.field, c.old, c.new) for c in delta.changes]
    assert changes == [("name", "上海浦东张记餐饮店", "上海浦东张记餐饮（新店）")]


@pytest.mark.django_db
def test_reveal_needs_a_reason_and_is_logged(customer, agent):
    phone = customer.phones.get(kind="mobile")
    with pytest.raises(FieldError) as info:
        customer_reveal(actor=agent, customer=customer, field="phone", object_id=phone.pk, reason=" ")
    assert info.value.field == "reason"
    assert RevealLog.objects.count() == 0
    value = customer_reveal(actor=agent, customer=customer, field="phone", object_id=phone.pk, reason="客户来电核实")
    assert value == "13812345678"
    log = RevealLog.objects.get()
    assert (log.user, log.customer, log.field, log.object_id, log.reason) == (agent, customer, "phone", phone.pk,
                                                                              "客户来电核实")


@pytest.mark.django_db
def test_reveal_of_another_customers_phone_is_refused(customer, make_customer, agent):
    other = make_customer(phones=[{"number": "13900001111"}])
    with pytest.raises(KefuError):
        customer_reveal(actor=agent, customer=customer, field="phone", object_id=other.phones.get().pk, reason="x")
    assert RevealLog.objects.count() == 0
