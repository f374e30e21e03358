"""kefu/customers/bulkwrite.py writes the rows and the history rows simple-history's own helpers write."""

import pytest
from django.db import transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kefu.customers import bulkwrite
from kefu.customers.bulkwrite import BulkWriter
from kefu.customers.models import Customer, CustomerKind, CustomerPhone

SKIP = {"id", "history_id", "history_date", "customer_number", "customer_id", "created_at", "updated_at"}


def history_rows(model, **filters) -> list[dict]:
    """History rows without the columns that differ between two writes of the same data."""
    rows = model.history.filter(**filters).order_by("history_id").values()
    return [{k: v for k, v in row.items() if k not in SKIP} for row in rows]


@pytest.fixture
def kind(db):
    return CustomerKind.objects.get(code="merchant")


@pytest.mark.django_db
def test_created_and_changed_rows_have_the_history_simple_history_writes(kind, make_user):
    user = make_user("supervisor")
    names = ["张记餐饮", "李记超市", "王记药房"]
    with transaction.atomic():
        bulk_create_with_history([Customer(customer_number=f"A{i}", name=n, kind=kind, notes="备注")
                                  for i, n in enumerate(names)], Customer, default_user=user)
        ids = BulkWriter(user=user).insert(Customer, ["customer_number", "name", "kind_id", "notes"],
                                           [(f"B{i}", n, kind.pk, "备注") for i, n in enumerate(names)])
    assert history_rows(Customer, customer_number__startswith="A") == history_rows(
        Customer, customer_number__startswith="B")
    assert list(Customer.objects.filter(pk__in=ids).order_by("pk").values_list("name", flat=True)) == names

    with transaction.atomic():
        changed = list(Customer.objects.filter(customer_number__startswith="A").order_by("pk"))
        for customer in changed:
            customer.name += "（新）"
        bulk_update_with_history(changed, Customer, ["name"], default_user=user)
        BulkWriter(user=user).update(Customer, ["name"], [(pk, n + "（新）") for pk, n in zip(ids, names, strict=True)])
    assert history_rows(Customer, customer_number__startswith="A", history_type="~") == history_rows(
        Customer, customer_number__startswith="B", history_type="~")
    assert len(history_rows(Customer, history_type="~")) == 6


@pytest.mark.django_db
def test_a_history_table_of_another_shape_is_left_to_simple_history(kind, make_user, monkeypatch):
    user = make_user("supervisor")
    customer = Customer.objects.create(customer_number="C1", name="甲店", kind=kind)
    rows = [(customer.pk, "13812345678", "", "mobile"), (customer.pk, "02162345678", "12", "landline")]
    with transaction.atomic():
        fast = BulkWriter(user=user).insert(CustomerPhone, ["customer_id", "number", "extension", "kind"], rows[:1])
        monkeypatch.setattr(bulkwrite, "_history_columns", lambda model, historical: None)
        slow = BulkWriter(user=user, change_reason="导入").insert(
            CustomerPhone, ["customer_id", "number", "extension", "kind"], rows[1:])
    first, second = CustomerPhone.history.get(id=fast[0]), CustomerPhone.history.get(id=slow[0])
    assert (first.history_type, first.history_user, first.history_change_reason) == ("+", user, None)
    assert (second.history_type, second.history_user, second.history_change_reason) == ("+", user, "导入")
    assert (second.number, second.extension, second.kind, second.label) == ("02162345678", "12", "landline", "")


@pytest.mark.django_db(transaction=True)
def test_the_writer_refuses_to_write_outside_a_transaction(kind):
    with pytest.raises(RuntimeError):
        BulkWriter().insert(Customer, ["customer_number", "name", "kind_id"], [("D1", "丁店", kind.pk)])
    assert not Customer.objects.exists()
