"""Web pages for work orders (R4.3), attachments (R4.7), saved views and bulk assignment."""

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View

from kefu.core.errors import KefuError

from . import selectors, services, work_orders
from .forms import AssignEngineerForm, AttachmentForm, BulkAssignForm, FinishWorkOrderForm, SavedViewForm, WorkOrderForm
from .models import Attachment, SavedView


def _current_details(ticket) -> dict:
    customer = ticket.customer
    if customer is None:
        return {}
    contact = customer.contact_persons.first()
    phone = customer.phones.first()
    address = customer.addresses.first()
    device = customer.devices.first()
    return {"address": address.address if address else "", "onsite_phone": phone.number if phone else "",
            "business_hours": customer.business_hours, "contact_person": contact.name if contact else "",
            "product_model": device.model if device else ""}


class WorkOrderCreateView(View):
    permission = "tickets.work_order:create"
    write_permission = "tickets.work_order:create"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = selectors.ticket_get_for(request.user, pk)
        form = WorkOrderForm(current=_current_details(ticket))
        return render(request, "tickets/work_order_create.html", {"ticket": ticket, "form": form})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = selectors.ticket_get_for(request.user, pk)
        form = WorkOrderForm(request.POST, current=_current_details(ticket))
        if form.is_valid():
            try:
                work_order = work_orders.work_order_create(actor=request.user, ticket=ticket,
                                                           team=form.cleaned_data["team"],
                                                           verification=form.verification())
            except KefuError as error:
                item = (error.field or "").removeprefix("verification.")
                form.add_error(f"{item}_confirmed" if f"{item}_confirmed" in form.fields else None, error.message_zh)
            else:
                messages.success(request, _("Work order created."))
                return redirect("tickets:work_order", pk=work_order.pk)
        return render(request, "tickets/work_order_create.html", {"ticket": ticket, "form": form}, status=400)


class WorkOrderListView(View):
    """An engineer's own work orders (usable on a phone), a dispatcher's team queue, or all for the desk."""

    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        orders = work_orders.work_order_queryset_for(request.user).order_by("state", "-created_at")[:200]
        return render(request, "tickets/work_orders.html", {"orders": orders})


class WorkOrderDetailView(View):
    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        work_order = work_orders.work_order_get_for(request.user, pk)
        return render(request, "tickets/work_order.html", {
            "wo": work_order, "assign_form": AssignEngineerForm(), "finish_form": FinishWorkOrderForm()})


class _WorkOrderAction(View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        work_order = work_orders.work_order_get_for(request.user, pk)
        try:
            self.act(request, work_order)
        except KefuError as error:
            messages.error(request, error.message_zh)
        return redirect("tickets:work_order", pk=pk)


class WorkOrderAssignView(_WorkOrderAction):
    permission = "tickets.work_order:assign"
    write_permission = "tickets.work_order:assign"

    def act(self, request, work_order) -> None:
        form = AssignEngineerForm(request.POST)
        if not form.is_valid():
            raise KefuError(_("Choose an engineer."), field="engineer")
        work_orders.work_order_assign(actor=request.user, work_order=work_order,
                                      engineer=form.cleaned_data["engineer"])


class WorkOrderArriveView(_WorkOrderAction):
    permission = "tickets.work_order:report"
    write_permission = "tickets.work_order:report"

    def act(self, request, work_order) -> None:
        work_orders.work_order_arrive(actor=request.user, work_order=work_order)


class WorkOrderFinishView(_WorkOrderAction):
    permission = "tickets.work_order:report"
    write_permission = "tickets.work_order:report"

    def act(self, request, work_order) -> None:
        form = FinishWorkOrderForm(request.POST)
        if not form.is_valid():
            raise KefuError(_("Describe the work done and choose the result."), field="work_done")
        work_orders.work_order_finish(actor=request.user, work_order=work_order, **form.cleaned_data)


class AttachmentUploadView(View):
    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        ticket = selectors.ticket_get_for(request.user, pk)
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > work_orders.tunables.get("tickets.attachment_max_bytes"):
                    raise KefuError(_("The file is too large."), field="file")
                work_orders.attachment_add(actor=request.user, ticket=ticket, filename=upload.name,
                                           content=upload.read())
            except KefuError as error:
                messages.error(request, error.message_zh)
        return redirect("tickets:detail", pk=pk)


class AttachmentDownloadView(View):
    """Served only to those who may see the ticket, always as a download, never rendered inline."""

    permission = "tickets.ticket:view"

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        attachment = get_object_or_404(Attachment.objects.select_related("ticket"), pk=pk)
        selectors.ticket_get_for(request.user, attachment.ticket_id)  # 404 when the ticket is not visible
        return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type="application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


class SavedViewCreateView(View):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:view"
    read_only_action = True  # a personal preference, not a business record

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SavedViewForm(request.POST)
        if form.is_valid():
            try:
                services.saved_view_save(user=request.user, **form.cleaned_data)
            except KefuError as error:
                messages.error(request, error.message_zh)
        return redirect(f"/tickets/?{form.data.get('query', '')}")


class SavedViewDeleteView(View):
    permission = "tickets.ticket:view"
    write_permission = "tickets.ticket:view"
    read_only_action = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        get_object_or_404(SavedView, pk=pk, user=request.user).delete()
        return redirect("tickets:list")


class BulkAssignView(View):
    permission = "tickets.ticket:change"
    write_permission = "tickets.ticket:change"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = BulkAssignForm(request.POST)
        if form.is_valid():
            ids = [int(i) for i in form.cleaned_data["tickets"].split(",") if i.strip().isdigit()]
            tickets = list(selectors.ticket_queryset_for(request.user).filter(pk__in=ids))
            try:
                count = services.ticket_bulk_assign(actor=request.user, tickets=tickets,
                                                    assignee=form.cleaned_data["assignee"])
            except KefuError as error:
                messages.error(request, error.message_zh)
            else:
                messages.success(request, _("%(count)s tickets assigned.") % {"count": count})
        return redirect(request.POST.get("next") or "tickets:list")
