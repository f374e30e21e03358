"""Work orders (R4.3 [000]) and attachments (R4.7): services and selectors."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User
from kefu.core import clock, permissions, tunables
from kefu.core.errors import FieldError, KefuError

from .models import Attachment, Ticket, TicketEvent, WorkOrder
from .services import _event, _notify

ITEM_LABELS = {
    "address": _("address"),
    "onsite_phone": _("on-site phone"),
    "business_hours": _("business hours"),
    "contact_person": _("contact person"),
    "product_model": _("product model"),
}


@transaction.atomic
def work_order_create(*, actor: User, ticket: Ticket, team: Team, verification: dict[str, dict[str, Any]]) -> WorkOrder:
    """R4.3 [000]: a work order exists only after the agent re-verified the five items with the customer.

    `verification[item]` is {"confirmed": True, "value": "…"} for a value read back and confirmed, or
    {"corrected": "new value"} for one the customer corrected; any item missing refuses the work order.
    """
    permissions.require(actor, "tickets.work_order:create")
    if not ticket.kind.work_order_kind:
        raise FieldError(_("Tickets of this kind do not lead to a work order."), field="ticket", code="invalid")
    if team.kind != Team.Kind.FIELD:
        raise FieldError(_("A work order goes to a field team."), field="team", code="invalid")
    values: dict[str, str] = {}
    record: dict[str, dict[str, Any]] = {}
    for item in WorkOrder.VERIFIED_ITEMS:
        entry = verification.get(item) or {}
        corrected = (entry.get("corrected") or "").strip()
        confirmed = bool(entry.get("confirmed")) and (entry.get("value") or "").strip()
        if not corrected and not confirmed:
            raise FieldError(_("Re-verify the %(item)s with the customer before creating the work order."),
                             field=f"verification.{item}", code="not_verified", item=ITEM_LABELS[item])
        values[item] = corrected or entry["value"].strip()
        record[item] = {"confirmed": not corrected, "corrected": bool(corrected), "value": values[item]}
    if values["onsite_phone"]:
        from kefu.core.phones import parse_phone

        values["onsite_phone"] = parse_phone(values["onsite_phone"], field="verification.onsite_phone").number
    now = clock.now()
    work_order = WorkOrder.objects.create(ticket=ticket, kind=ticket.kind.work_order_kind, team=team,
                                          verification=record, verified_by=actor, verified_at=now, **values)
    _event(ticket, actor, "work_order", "work_order", "", work_order.get_kind_display())
    for dispatcher in team.members.filter(is_active=True, roles__code="dispatcher").distinct():
        _notify(dispatcher, ticket, str(_("New work order for %(team)s: %(number)s %(title)s")
                                        % {"team": team.name, "number": ticket.number, "title": ticket.title}))
    return work_order


def work_order_queryset_for(user: User) -> QuerySet[WorkOrder]:
    """Desk roles see all; a dispatcher his teams'; an engineer (or partner) only his own (R1.3)."""
    base = WorkOrder.objects.select_related("ticket", "ticket__customer", "team", "engineer")
    if permissions.has_permission(user, "tickets.any_ticket:view"):
        return base
    if permissions.has_permission(user, "tickets.work_order:assign"):
        return base.filter(Q(team__in=user.teams.all()) | Q(engineer=user)).distinct()
    if permissions.has_permission(user, "tickets.work_order:report"):
        return base.filter(engineer=user)
    return base.none()


def work_order_get_for(user: User, pk: int) -> WorkOrder:
    work_order = work_order_queryset_for(user).filter(pk=pk).first()
    if work_order is None:
        raise Http404
    return work_order


@transaction.atomic
def work_order_assign(*, actor: User, work_order: WorkOrder, engineer: User) -> WorkOrder:
    """The field team's dispatcher assigns an engineer of that team."""
    permissions.require(actor, "tickets.work_order:assign")
    if work_order.state == WorkOrder.State.DONE:
        raise KefuError(_("This work order is finished."), code="work_order_done")
    if not engineer.teams.filter(pk=work_order.team_id).exists():
        raise FieldError(_("%(person)s is not a member of %(team)s."), field="engineer", code="invalid",
                         person=str(engineer), team=work_order.team.name)
    old = work_order.engineer
    work_order.engineer, work_order.assigned_by, work_order.assigned_at = engineer, actor, clock.now()
    work_order.state = WorkOrder.State.ASSIGNED if work_order.arrived_at is None else work_order.state
    work_order.save(update_fields=["engineer", "assigned_by", "assigned_at", "state"])
    _event(work_order.ticket, actor, "work_order", "engineer", old, engineer)
    _notify(engineer, work_order.ticket, str(_("Work order %(number)s is yours: %(address)s")
                                             % {"number": work_order.ticket.number, "address": work_order.address}))
    return work_order


def _own(actor: User, work_order: WorkOrder) -> None:
    permissions.require(actor, "tickets.work_order:report")
    if work_order.engineer_id != actor.pk:
        raise KefuError(_("Only the assigned engineer records this."), code="permission_denied", status=403)
    if work_order.state == WorkOrder.State.DONE:
        raise KefuError(_("This work order is finished."), code="work_order_done")


@transaction.atomic
def work_order_arrive(*, actor: User, work_order: WorkOrder) -> WorkOrder:
    _own(actor, work_order)
    work_order.arrived_at, work_order.state = clock.now(), WorkOrder.State.ON_SITE
    work_order.save(update_fields=["arrived_at", "state"])
    _event(work_order.ticket, actor, "work_order", "arrived_at", "", work_order.arrived_at.isoformat())
    return work_order


@transaction.atomic
def work_order_finish(*, actor: User, work_order: WorkOrder, work_done: str, parts_used: str, result: str) -> WorkOrder:
    """The engineer records work done, parts and result; the ticket follows (R4.3): solved → the ticket is
    resolved with the work done as its resolution; otherwise it stays open with the result in its history."""
    _own(actor, work_order)
    if work_order.arrived_at is None:
        raise FieldError(_("Record the arrival first."), field="arrived_at", code="required")
    if result not in WorkOrder.Result.values:
        raise FieldError(_("Choose the result."), field="result", code="invalid_choice")
    if not (work_done or "").strip():
        raise FieldError(_("Describe the work done."), field="work_done", code="required")
    now = clock.now()
    work_order.work_done, work_order.parts_used, work_order.result = work_done.strip(), parts_used.strip(), result
    work_order.finished_at, work_order.state = now, WorkOrder.State.DONE
    work_order.save(update_fields=["work_done", "parts_used", "result", "finished_at", "state"])
    ticket = Ticket.objects.select_for_update().select_related("state", "kind__workflow").get(pk=work_order.ticket_id)
    _event(ticket, actor, "work_order", "result", "", work_order.get_result_display(), work_order.work_done)
    if result == WorkOrder.Result.FIXED and not ticket.state.is_resolved:
        resolved = ticket.kind.workflow.states.filter(is_resolved=True, is_closed=False).first()
        if resolved is not None:
            old = ticket.state
            Ticket.objects.filter(pk=ticket.pk).update(state=resolved, resolved_at=now, resolution=work_order.work_done,
                                                       version=ticket.version + 1, updated_at=now)
            TicketEvent.objects.create(ticket=ticket, actor=actor, action="transition", field="state", old=old.name,
                                       new=resolved.name, reason=str(_("Work order solved on site.")))
            from kefu.sla.services import on_ticket_state

            ticket.refresh_from_db()
            on_ticket_state(ticket, at=now)
    for user in {ticket.created_by, ticket.assignee} - {None, actor}:
        _notify(user, ticket, str(_("Work order %(number)s finished: %(result)s")
                                  % {"number": ticket.number, "result": work_order.get_result_display()}))
    return work_order


# --- attachments ---------------------------------------------------------------------------------------

tunables.register(tunables.Tunable("tickets.attachment_max_bytes", 10 * 1024 * 1024, int,
                                   _("Largest attachment (bytes)"), source="R4.7", minimum=1024))
tunables.register(tunables.Tunable(
    "tickets.attachment_types",
    "image/jpeg,image/png,image/gif,application/pdf,text/plain,"
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,"
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document,audio/mpeg,audio/x-wav,audio/wav",
    str, _("Allowed attachment types (sniffed from the content)"), source="R4.7"))


def sniff(content: bytes, filename: str) -> str:
    """The content type read from the bytes themselves (puremagic), never from the name."""
    import puremagic

    try:
        matches = puremagic.magic_string(content[:8192], filename=None)
    except (puremagic.PureError, ValueError):
        matches = []
    for match in matches:
        if match.mime_type:
            mime = match.mime_type
            if mime == "application/zip" and filename.lower().endswith((".xlsx", ".docx")):
                # An Office file is a zip; accept it only if its first entry says so.
                if b"[Content_Types].xml" in content[:2048] or b"xl/" in content[:4096] or b"word/" in content[:4096]:
                    return ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            if filename.lower().endswith(".xlsx")
                            else "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
            return mime
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    lowered = text.lower()
    if "<html" in lowered or "<script" in lowered or "<svg" in lowered or "<!doctype" in lowered:
        return "text/html"
    return "text/plain"


@transaction.atomic
def attachment_add(*, actor: User, ticket: Ticket, filename: str, content: bytes) -> Attachment:
    """R4.7: size and type limits; the type is sniffed, the file stored under a random name."""
    permissions.require(actor, "tickets.ticket:change")
    limit = tunables.get("tickets.attachment_max_bytes")
    if len(content) > limit:
        raise FieldError(_("The file is %(size)s MB; the limit is %(limit)s MB."), field="file", code="too_large",
                         size=round(len(content) / 1048576, 1), limit=round(limit / 1048576, 1))
    if not content:
        raise FieldError(_("The file is empty."), field="file", code="empty")
    mime = sniff(content, filename)
    allowed = {t.strip() for t in tunables.get("tickets.attachment_types").split(",") if t.strip()}
    if mime not in allowed:
        raise FieldError(_("Files of type %(type)s are not accepted."), field="file", code="type_not_allowed",
                         type=mime)
    attachment = Attachment(ticket=ticket, original_name=filename[:255], content_type=mime, size=len(content),
                            uploaded_by=actor)
    attachment.file.save("upload", ContentFile(content), save=False)
    attachment.save()
    _event(ticket, actor, "attachment", "file", "", attachment.original_name)
    return attachment
