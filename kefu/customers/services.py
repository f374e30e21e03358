"""Writes of customers (SPEC §2). UI views, API views and commands all call these."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Branch
from kefu.core.errors import FieldError, KefuError
from kefu.core.phones import parse_phone

from .models import (
    ContactPerson,
    Customer,
    CustomerAddress,
    CustomerKind,
    CustomerPhone,
    Device,
    ImportJob,
    RevealLog,
)

DEFAULT_KINDS = (
    ("merchant", _("Merchant")),
    ("subscriber", _("Subscriber")),
    ("individual", _("Individual")),
    ("enterprise", _("Enterprise")),
)


def customer_kinds_seed_defaults() -> int:
    """R2.1: seed the four kinds of the seeds; an administrator's edits are kept."""
    from django.utils import translation

    created = 0
    with translation.override("zh-hans"):
        for code, name in DEFAULT_KINDS:
            created += CustomerKind.objects.get_or_create(code=code, defaults={"name": str(name)})[1]
    return created


CUSTOMER_FIELDS = ("customer_number", "merchant_number", "kind", "name", "id_number", "branch", "business_hours",
                   "notes")
NESTED = {
    "phones": (CustomerPhone, ("number", "extension", "label")),
    "contact_persons": (ContactPerson, ("name", "title", "is_primary")),
    "addresses": (CustomerAddress, ("kind", "address", "is_primary")),
    "devices": (Device, ("model", "serial_number", "installed_on", "notes")),
}


def _clean_number(value: Any) -> str | None:
    text = (str(value).strip().upper() if value is not None else "")
    return text or None


def _validation_to_field_error(error: ValidationError, prefix: str = "") -> FieldError:
    if hasattr(error, "error_dict"):
        name, messages = next(iter(error.error_dict.items()))
        return FieldError(messages[0].messages[0], field=f"{prefix}{name}" if name != "__all__" else prefix or None)
    return FieldError(error.messages[0], field=prefix or None)


@transaction.atomic
def customer_save(
    *,
    actor,
    customer: Customer | None = None,
    data: dict[str, Any],
    nested: dict[str, list[dict[str, Any]]] | None = None,
) -> Customer:
    """Create or change a customer with its phones, contact persons, addresses and devices (R2.1).

    A nested list replaces what the customer had: items with an id are changed, items without are added,
    missing ones are removed. Phones are normalised (kefu.core.phones); any bad field raises FieldError
    naming it (e.g. `phones[1].number`) and nothing is written.
    """
    creating = customer is None
    customer = customer or Customer()
    for name in CUSTOMER_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in ("customer_number", "merchant_number"):
            value = _clean_number(value)
            if name == "customer_number" and not value:
                raise FieldError(_("The customer number is required."), field=name, code="required")
        if name == "kind" and not isinstance(value, CustomerKind):
            value = CustomerKind.objects.filter(code=value).first()
            if value is None:
                raise FieldError(_("Unknown customer kind."), field="kind", code="invalid_choice")
        if name == "branch" and value is not None and not isinstance(value, Branch):
            value = Branch.objects.filter(code=value).first()
            if value is None:
                raise FieldError(_("Unknown branch."), field="branch", code="invalid_choice")
        if isinstance(value, str) and name not in ("notes",):
            value = value.strip()
        setattr(customer, name, value if value is not None or name in ("merchant_number", "branch") else "")
    if creating and Customer.objects.filter(customer_number=customer.customer_number).exists():
        raise FieldError(_("Customer number %(number)s is already used."), field="customer_number",
                         code="duplicate", number=customer.customer_number)
    if customer.merchant_number and Customer.objects.filter(merchant_number=customer.merchant_number).exclude(
            pk=customer.pk).exists():
        raise FieldError(_("Merchant number %(number)s is already used."), field="merchant_number",
                         code="duplicate", number=customer.merchant_number)
    try:
        customer.full_clean(validate_unique=False)
    except ValidationError as error:
        raise _validation_to_field_error(error) from None
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError:
        raise FieldError(_("Customer number %(number)s is already used."), field="customer_number",
                         code="duplicate", number=customer.customer_number) from None
    for relation, items in (nested or {}).items():
        _replace_nested(customer, relation, items)
    return customer


def _replace_nested(customer: Customer, relation: str, items: list[dict[str, Any]]) -> None:
    model, fields = NESTED[relation]
    existing = {obj.pk: obj for obj in getattr(customer, relation).all()}
    keep: set[int] = set()
    seen_phones: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        prefix = f"{relation}[{index}]."
        pk = item.get("id")
        if pk is not None and pk not in existing:
            raise FieldError(_("This item does not belong to the customer."), field=f"{prefix}id", code="invalid")
        obj = existing.get(pk) or model(customer=customer)
        for name in fields:
            if name in item:
                value = item[name]
                setattr(obj, name, value.strip() if isinstance(value, str) else value)
        if model is CustomerPhone:
            raw = item.get("number", "")
            if item.get("extension"):
                raw = f"{raw} 转 {item['extension']}"
            phone = parse_phone(raw, field=f"{prefix}number")
            obj.number, obj.extension, obj.kind = phone.number, phone.extension, phone.kind
            key = (phone.number, phone.extension)
            if key in seen_phones:
                raise FieldError(_("This phone number is listed twice."), field=f"{prefix}number", code="duplicate")
            seen_phones[key] = index
        try:
            obj.full_clean(exclude=["customer", "contact_person"], validate_unique=False,
                           validate_constraints=False)
        except ValidationError as error:
            raise _validation_to_field_error(error, prefix) from None
        if model is Device and obj.serial_number and Device.objects.filter(
                model=obj.model, serial_number=obj.serial_number).exclude(pk=obj.pk).exists():
            raise FieldError(_("Device %(model)s %(serial)s is registered to another customer."),
                             field=f"{prefix}serial_number", code="duplicate", model=obj.model,
                             serial=obj.serial_number)
        obj.save()
        keep.add(obj.pk)
    for pk, obj in existing.items():
        if pk not in keep:
            obj.delete()


def customer_reveal(*, actor, customer: Customer, field: str, object_id: int | None = None, reason: str,
                    ip_address: str | None = None) -> str:
    """R2.3: return one unmasked value and log who revealed what, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise FieldError(_("Say why you need to see this value."), field="reason", code="required")
    if field == RevealLog.Field.PHONE:
        phone = customer.phones.filter(pk=object_id).first()
        if phone is None:
            raise FieldError(_("No such phone number for this customer."), field="object_id", code="invalid")
        value = str(phone)
    elif field == RevealLog.Field.ADDRESS:
        address = customer.addresses.filter(pk=object_id).first()
        if address is None:
            raise FieldError(_("No such address for this customer."), field="object_id", code="invalid")
        value = address.address
    elif field == RevealLog.Field.ID_NUMBER:
        value = customer.id_number
        object_id = None
    else:
        raise FieldError(_("Unknown field."), field="field", code="invalid_choice")
    if not value:
        raise KefuError(_("There is nothing to reveal."), code="empty")
    RevealLog.objects.create(user=actor, customer=customer, field=field, object_id=object_id, reason=reason[:255],
                             ip_address=ip_address)
    return value


def read_upload(upload) -> bytes:
    """Read an uploaded import file, refusing one over the limit before it is read into memory."""
    check_import_size(upload.size)
    return upload.read()


def check_import_size(size: int) -> None:
    from kefu.core import tunables

    from .importing import ImportFileError

    limit = tunables.get("customers.import_max_bytes")
    if size > limit:
        raise ImportFileError(_("The file is %(size)s MB; the limit is %(limit)s MB."), field="file",
                              size=round(size / 1048576, 1), limit=round(limit / 1048576, 1))


def import_job_create(*, actor, filename: str, content: bytes, dry_run: bool) -> ImportJob:
    """R2.4: keep the uploaded file and queue its dry run or import for a worker."""
    from .importing import ImportFileError
    from .tasks import run_import_job

    check_import_size(len(content))
    if not filename.lower().endswith((".xlsx", ".csv", ".txt")):
        raise ImportFileError(_("Only .xlsx and .csv files can be imported."), field="file")
    job = ImportJob.objects.create(created_by=actor, filename=filename[:255], content=content, size=len(content),
                                   dry_run=dry_run)
    transaction.on_commit(lambda: run_import_job.enqueue(job_id=job.pk))
    return job


def import_job_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Run the real import of a file whose dry run passed."""
    if not job.dry_run or job.status != job.Status.SUCCEEDED or job.errors:
        raise KefuError(_("Only a dry run without errors can be imported."), code="import_not_ready")
    return import_job_create(actor=actor, filename=job.filename, content=bytes(job.content), dry_run=False)


def import_job_run(job_id: int) -> None:
    """Validate (progress saved as it goes) and, unless a dry run, import in one transaction."""
    from django.utils import timezone

    from . import importing


    # Claim the job atomically, so that two workers never run it twice.
    if not ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
            status=ImportJob.Status.RUNNING):
        return
    job = ImportJob.objects.get(pk=job_id)

    def progress(stage: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed_rows=done, total_rows=max(total, done))

    try:
        report = importing.validate(job.filename, bytes(job.content), progress=progress)
        errors = [e.as_dict() for e in report.errors]
        if errors or job.dry_run:
            status = ImportJob.Status.SUCCEEDED if job.dry_run else ImportJob.Status.FAILED
            ImportJob.objects.filter(pk=job.pk).update(
                status=status, errors=errors, total_rows=report.total_rows, processed_rows=report.total_rows,
                finished_at=timezone.now(),
                message="" if not errors else str(_("The file has errors; nothing was imported.")),
            )
            return
        importing.apply(report, actor=job.created_by)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.SUCCEEDED, created_count=report.created, updated_count=report.updated,
            total_rows=report.total_rows, processed_rows=report.total_rows, finished_at=timezone.now(),
        )
    except KefuError as error:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, finished_at=timezone.now(),
            errors=[{"row": None, "field": error.field, "message": error.message_zh,
                     "message_en": error.message_en}],
            message=error.message_zh[:500],
        )
