"""Reads of customers, already limited to what the user may see (R1.3, R2.2, R2.3)."""

import re
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BooleanField, Prefetch, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404

from kefu.core import permissions, tunables
from kefu.core.phones import normalise_query

from .models import Customer, CustomerPhone, ImportJob, RevealLog

TICKET_NUMBER = re.compile(r"^KF\d{8}-\d+$", re.IGNORECASE)


def can_see_pii(user) -> bool:
    """R2.3: only holders of customers.pii:view see personal data unmasked without an explicit reveal."""
    return permissions.has_permission(user, "customers.pii:view")


def customer_queryset_for(user) -> QuerySet[Customer]:
    """The customers a user may see. Roles without customers.customer:view see none (their own work orders
    bring them the customers they need, in the tickets issue)."""
    if not permissions.has_permission(user, "customers.customer:view"):
        return Customer.objects.none()
    return Customer.objects.all()


def customer_get_for(user, pk: int) -> Customer:
    """One customer with its details, or 404 if the user may not see it."""
    customer = (
        customer_queryset_for(user)
        .select_related("kind", "branch")
        .prefetch_related("phones", "contact_persons", "addresses", "devices")
        .filter(pk=pk)
        .first()
    )
    if customer is None:
        raise Http404
    return customer


@dataclass
class LookupResult:
    query: str
    matched_by: str | None
    customers: list[Customer] = field(default_factory=list)


def customer_lookup(user, query: str, *, limit: int | None = None) -> LookupResult:
    """R2.2: one search box — phone number, customer number, merchant number, ticket number or name fragment.

    Exact keys are tried first (each one index look-up, fast enough for a screen pop); only when none hits
    is the query taken as a fragment of the name.
    """
    query = (query or "").strip()
    result = LookupResult(query=query, matched_by=None)
    if not query:
        return result
    limit = limit or tunables.get("customers.lookup_limit")
    base = customer_queryset_for(user).select_related("kind", "branch").prefetch_related(
        Prefetch("phones", queryset=CustomerPhone.objects.order_by("id"))
    )
    number = normalise_query(query)
    if number:
        hits = list(base.filter(phones__number=number).distinct()[:limit])
        if hits:
            result.matched_by, result.customers = "phone", hits
            return result
    upper = query.upper()
    for key, lookup in (("customer_number", {"customer_number": upper}),
                        ("merchant_number", {"merchant_number": upper})):
        hits = list(base.filter(**lookup)[:limit])
        if hits:
            result.matched_by, result.customers = key, hits
            return result
    if TICKET_NUMBER.match(query):
        for provider in TICKET_LOOKUP_PROVIDERS:
            hits = list(base.filter(pk__in=provider(user, upper))[:limit])
            if hits:
                result.matched_by, result.customers = "ticket_number", hits
                return result
    named = base.filter(name__icontains=query)
    if len(query) == 2 and connection.vendor == "postgresql":
        # A pair of characters has no trigram: the pair index (customers migration 0003) narrows it instead.
        named = named.filter(RawSQL('kefu_bigrams(UPPER("customers_customer"."name"::text)) @> ARRAY[UPPER(%s)]',
                                    (query,), output_field=BooleanField()))
    hits = list(named.order_by("pk")[:limit])
    if hits:
        result.matched_by, result.customers = "name", hits
    return result


# The tickets app registers a function (user, ticket_number) -> customer ids here.
TICKET_LOOKUP_PROVIDERS: list = []


def reveal_log_list() -> QuerySet[RevealLog]:
    return RevealLog.objects.select_related("user", "customer").order_by("-created_at", "-id")


def import_job_list_for(user) -> QuerySet[ImportJob]:
    if not permissions.has_permission(user, "customers.customer:import"):
        return ImportJob.objects.none()
    return ImportJob.objects.defer("content").select_related("created_by")


def import_job_get_for(user, pk: int) -> ImportJob:
    job = import_job_list_for(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


_PII_FIELDS = {"number": "phone", "id_number": "id", "address": "address"}


def _masked(field_name: str, value, show_pii: bool):
    from kefu.core.masking import mask_address, mask_id_number, mask_phone

    if show_pii or not value or field_name not in _PII_FIELDS:
        return value
    return {"number": mask_phone, "id_number": mask_id_number, "address": mask_address}[field_name](str(value))


def customer_history(customer: Customer, *, show_pii: bool) -> list[dict]:
    """The audit trail of a customer and its details: who changed what, when, before and after."""
    from .models import ContactPerson, CustomerAddress, CustomerPhone, Device

    entries = []
    sources = [Customer.history.filter(id=customer.pk)]
    for model in (CustomerPhone, CustomerAddress, ContactPerson, Device):
        sources.append(model.history.filter(customer_id=customer.pk))
    for records in sources:
        previous_by_id: dict[int, object] = {}
        for record in records.select_related("history_user").order_by("history_date", "history_id"):
            previous = previous_by_id.get(record.id)
            changes = []
            if previous is not None and record.history_type == "~":
                delta = record.diff_against(previous)
                for change in delta.changes:
                    changes.append({"field": change.field, "old": _masked(change.field, change.old, show_pii),
                                    "new": _masked(change.field, change.new, show_pii)})
            entries.append({
                "history_id": record.history_id,
                "history_date": record.history_date,
                "history_type": {"+": "created", "~": "changed", "-": "deleted"}[record.history_type],
                "user": str(record.history_user) if record.history_user else None,
                "record": f"{record.instance._meta.verbose_name}: "
                          f"{_masked(_label_field(record), _label(record), show_pii)}",
                "changes": changes,
            })
            previous_by_id[record.id] = record
    entries.sort(key=lambda e: (e["history_date"], e["history_id"]), reverse=True)
    return entries


def _label_field(record) -> str:
    for name in ("number", "address"):
        if hasattr(record, name):
            return name
    return "name"


def _label(record) -> str:
    for name in ("number", "address", "name", "model"):
        value = getattr(record, name, None)
        if value:
            return str(value)
    return str(record.id)
