"""Web pages for customers: search, detail, edit, reveal, history, import, reveal log. Thin: they call the
selectors and services that the API calls too."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from kefu.core.errors import FieldError, KefuError
from kefu.core.masking import mask_address, mask_id_number, mask_phone

from . import selectors, services
from .forms import CustomerForm, ImportForm, RevealForm, item_formsets


class CustomerListView(View):
    """The one search box (R2.2) and the customer list, masked per role (R2.3)."""

    permission = "customers.customer:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        query = request.GET.get("q", "").strip()
        if query:
            result = selectors.customer_lookup(request.user, query)
            customers, matched_by, page = result.customers, result.matched_by, None
        else:
            page = Paginator(selectors.customer_queryset_for(request.user).select_related("kind", "branch")
                             .prefetch_related("phones").order_by("customer_number"), 25).get_page(
                request.GET.get("page"))
            customers, matched_by = page.object_list, None
        context = {"query": query, "customers": customers, "matched_by": matched_by, "page": page,
                   "show_pii": selectors.can_see_pii(request.user)}
        template = "customers/_results.html" if request.htmx else "customers/list.html"
        return render(request, template, context)


class CustomerDetailView(View):
    permission = "customers.customer:view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = selectors.customer_get_for(request.user, pk)
        return render(request, "customers/detail.html", {"customer": customer,
                                                         "show_pii": selectors.can_see_pii(request.user)})


class CustomerEditView(View):
    """Create (pk is None) or change a customer with its phones, contacts, addresses and devices."""

    permission = "customers.customer:edit"
    write_permission = "customers.customer:edit"

    def _load(self, request, pk):
        return selectors.customer_get_for(request.user, pk) if pk else None

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        customer = self._load(request, pk)
        show_pii = selectors.can_see_pii(request.user)
        form = CustomerForm(initial=CustomerForm.initial_for(customer) if customer else None)
        formsets = item_formsets(customer=customer)
        if customer and not show_pii:
            form.initial["id_number"] = mask_id_number(customer.id_number)
            for item_form in formsets["phones"].forms:
                if item_form.initial.get("number"):
                    item_form.initial["number"] = mask_phone(item_form.initial["number"])
            for item_form in formsets["addresses"].forms:
                if item_form.initial.get("address"):
                    item_form.initial["address"] = mask_address(item_form.initial["address"])
        return render(request, "customers/edit.html", {"customer": customer, "form": form, "formsets": formsets})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        customer = self._load(request, pk)
        form = CustomerForm(request.POST)
        formsets = item_formsets(request.POST, customer=customer)
        valid = form.is_valid() & all(fs.is_valid() for fs in formsets.values())
        if valid:
            data = dict(form.cleaned_data)
            data["kind"] = data["kind"]
            nested = {prefix: _items(fs, customer, prefix) for prefix, fs in formsets.items()}
            if customer and data.get("id_number") == mask_id_number(customer.id_number):
                data["id_number"] = customer.id_number  # the masked value came back unchanged
            try:
                saved = services.customer_save(actor=request.user, customer=customer, data=data, nested=nested)
            except FieldError as error:
                _attach(error, form, formsets)
            else:
                messages.success(request, _("Customer %(number)s saved.") % {"number": saved.customer_number})
                return redirect("customers:detail", pk=saved.pk)
        return render(request, "customers/edit.html", {"customer": customer, "form": form, "formsets": formsets},
                      status=400)


def _items(formset, customer, prefix: str) -> list[dict]:
    existing = {obj.pk: obj for obj in getattr(customer, prefix).all()} if customer else {}
    items = []
    for item_form in formset.forms:
        data = item_form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        item = {k: v for k, v in data.items() if k != "DELETE"}
        if item.get("id") is None:
            item.pop("id", None)
        original = existing.get(item.get("id"))
        # A masked value sent back unchanged keeps the stored one.
        if original is not None and prefix == "phones" and item.get("number") == mask_phone(original.number):
            item["number"] = original.number
        if original is not None and prefix == "addresses" and item.get("address") == mask_address(original.address):
            item["address"] = original.address
        items.append(item)
    return items


def _attach(error: FieldError, form, formsets) -> None:
    field = error.field or ""
    if "[" in field:
        prefix, rest = field.split("[", 1)
        index, name = rest.split("].", 1) if "]." in rest else (rest.rstrip("]"), None)
        formset = formsets.get(prefix)
        live = [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")] if formset else []
        if formset is not None and int(index) < len(live):
            target = live[int(index)]
            target.add_error(name if name in target.fields else None, error.message_zh)
            return
    form.add_error(field if field in form.fields else None, error.message_zh)


class CustomerRevealView(View):
    """R2.3: reveal one value after giving a reason; answered as an htmx fragment, logged."""

    permission = "customers.pii:reveal"
    write_permission = "customers.pii:reveal"
    read_only_action = True

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = selectors.customer_get_for(request.user, pk)
        form = RevealForm(request.POST)
        if not form.is_valid():
            return render(request, "customers/_reveal.html", {"error": _("Say why you need to see this value.")},
                          status=400)
        try:
            value = services.customer_reveal(actor=request.user, customer=customer, field=form.cleaned_data["field"],
                                             object_id=form.cleaned_data.get("object_id"),
                                             reason=form.cleaned_data["reason"],
                                             ip_address=request.META.get("REMOTE_ADDR"))
        except KefuError as error:
            return render(request, "customers/_reveal.html", {"error": error.message_zh}, status=400)
        return render(request, "customers/_reveal.html", {"value": value})


class CustomerHistoryView(View):
    permission = "customers.customer:history"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        customer = selectors.customer_get_for(request.user, pk)
        entries = selectors.customer_history(customer, show_pii=selectors.can_see_pii(request.user))
        return render(request, "customers/history.html", {"customer": customer, "entries": entries})


class RevealLogView(View):
    permission = "customers.reveal_log:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.reveal_log_list(), 50).get_page(request.GET.get("page"))
        return render(request, "customers/reveal_log.html", {"page": page})


class ImportListView(View):
    permission = "customers.customer:import"
    write_permission = "customers.customer:import"

    def get(self, request: HttpRequest) -> HttpResponse:
        jobs = selectors.import_job_list_for(request.user)[:20]
        return render(request, "customers/imports.html", {"jobs": jobs, "form": ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                content = services.read_upload(upload)
                job = services.import_job_create(actor=request.user, filename=upload.name, content=content,
                                                 dry_run=True)
            except KefuError as error:
                form.add_error("file", error.message_zh)
            else:
                return redirect("customers:import_detail", pk=job.pk)
        jobs = selectors.import_job_list_for(request.user)[:20]
        return render(request, "customers/imports.html", {"jobs": jobs, "form": form}, status=400)


class ImportDetailView(View):
    """Progress (polled by htmx while the job runs) and the validation report."""

    permission = "customers.customer:import"
    write_permission = "customers.customer:import"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = selectors.import_job_get_for(request.user, pk)
        template = "customers/_import_status.html" if request.htmx else "customers/import_detail.html"
        return render(request, template, {"job": job})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = selectors.import_job_list_for(request.user).defer(None).filter(pk=pk).first()
        if job is None:
            raise Http404
        try:
            new_job = services.import_job_confirm(actor=request.user, job=job)
        except KefuError as error:
            messages.error(request, error.message_zh)
            return redirect("customers:import_detail", pk=pk)
        return redirect("customers:import_detail", pk=new_job.pk)
