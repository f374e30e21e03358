"""R1.3: walk every URL pattern of the project and prove, for every role, that what the role may not do is
refused (403/404) on the web pages and the API alike. New routes are covered automatically; a route that
declares no rule fails here."""

import re

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kefu.core import permissions
from kefu.core.middleware import PermissionRequiredMiddleware, view_declaration
from kefu.customers.models import Customer, CustomerPhone, ImportJob, RevealLog

ROLES = {definition.code: definition for definition in permissions.DEFAULT_ROLES}
HANDLERS = ("get", "post", "put", "patch", "delete")


def iter_routes(patterns=None, prefix="", namespace=None):
    """(route template, callback, namespace, name) for every URL pattern of the project."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            yield from iter_routes(pattern.url_patterns, prefix + str(pattern.pattern),
                                   pattern.namespace or namespace)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback, namespace, pattern.name


def methods_of(callback) -> list[str]:
    view = view_declaration(callback)
    if hasattr(callback, "actions") and callback.actions:
        return [m.upper() for m in callback.actions]
    if isinstance(view, type):
        return [m.upper() for m in HANDLERS if hasattr(view, m)]
    return ["GET", "POST"]


def sample_path(route: str, samples: dict[str, int]) -> str:
    """Fill <pk> with a real object: the one named by the path segment just before it (tickets/<pk>/ → a
    ticket), else the sample customer."""

    def replace(match):
        name = match.group("name")
        if name != "pk":
            raise AssertionError(f"No sample value for <{name}> in {route}: add one to the permission walk")
        segment = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
        return str(samples.get(segment, samples["pk"]))

    return "/" + re.sub(r"<(?:\w+:)?(?P<name>\w+)>", replace, route)


def expected_allowed(role: str, view, method: str) -> bool:
    code = permissions.required_permission(view, method)
    definition = ROLES[role]
    if code not in definition.permissions:
        return False
    return not (definition.read_only and permissions.is_write(view, method))


@pytest.fixture
def samples(customer, make_user):
    owner = make_user("supervisor")
    job = ImportJob.objects.create(created_by=owner, filename="x.csv", content=b"", dry_run=True,
                                   status=ImportJob.Status.SUCCEEDED)
    from kefu.tickets.models import TicketKind
    from kefu.tickets.services import ticket_create

    ticket = ticket_create(actor=make_user("agent"), kind=TicketKind.objects.get(code="repair"), title="POS 无法开机",
                           customer=customer)
    from kefu.accounts.models import Branch, Team
    from kefu.tickets.models import Notification, SavedView, WorkOrder

    branch = Branch.objects.create(code="walk", name="巡检分公司")
    team = Team.objects.create(code="walk-field", name="巡检现场队", kind=Team.Kind.FIELD, branch=branch)
    work_order = WorkOrder.objects.create(
        ticket=ticket, kind="repair", team=team, address="上海市浦东新区张江路88号", onsite_phone="13812345678",
        business_hours="09:00–21:00", contact_person="张伟", product_model="百富 S910", verified_by=owner,
        verified_at=ticket.created_at)
    from kefu.tickets.work_orders import attachment_add

    attachment = attachment_add(actor=make_user("agent"), ticket=ticket, filename="小票.txt", content="缺纸".encode())
    notification = Notification.objects.create(user=owner, ticket=ticket, message="walk")
    saved = SavedView.objects.create(user=owner, name="walk", query="state=new")
    from kefu.calendars.models import Calendar, OfficialDay

    calendar_samples = {"calendars": Calendar.objects.get(name="default").pk,
                        "official-days": OfficialDay.objects.order_by("date").last().pk}
    from kefu.contacts.models import Contact, ForbiddenPhrase, StandardPhrase

    contact = Contact.objects.create(channel="fax", offered_at=ticket.created_at, offered_slot=ticket.created_at)
    contact_samples = {"contacts": contact.pk, "standard-phrases": StandardPhrase.objects.first().pk,
                       "forbidden-phrases": ForbiddenPhrase.objects.first().pk}
    from kefu.complaints.services import complaint_create

    complaint = complaint_create(actor=make_user("agent"), subject="坐席态度差", customer=customer)
    from kefu.service_exceptions.services import exception_report

    service_exception = exception_report(actor=owner, title="结算延迟", description="商户未收到结算款")
    from kefu.callbacks.tests.factories import walk_samples as callback_walk_samples
    from kefu.workforce.tests.factories import walk_samples

    return {"complaints": complaint.pk, "service-exceptions": service_exception.pk,
            "imports": job.pk, "customer-imports": job.pk, "tickets": ticket.pk, "work-orders": work_order.pk,
            "attachments": attachment.pk, "notifications": notification.pk, "saved-views": saved.pk,
            "pk": customer.pk, **calendar_samples, **contact_samples, **walk_samples(make_user),
            **callback_walk_samples(make_user)}


def project_routes():
    for route, callback, namespace, name in iter_routes():
        if namespace == "admin" or route.startswith("admin/"):
            continue  # the admin site has one rule of its own, tested below
        yield route, callback, name


def test_every_route_declares_a_rule():
    undeclared = []
    for route, callback, name in project_routes():
        view = view_declaration(callback)
        for method in methods_of(callback):
            if permissions.required_permission(view, method) is None:
                undeclared.append(f"{method} /{route} ({name})")
    assert not undeclared, "Routes without a permission rule:\n" + "\n".join(undeclared)


def test_an_undeclared_view_is_refused_by_the_middleware(rf: RequestFactory):
    def naked_view(request):
        raise AssertionError("must not run")

    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/naked/")
    request.user = AnonymousUser()
    request.resolver_match = type("Match", (), {"app_name": "", "view_name": "naked"})()
    with pytest.raises(ImproperlyConfigured):
        PermissionRequiredMiddleware(lambda r: None).process_view(request, naked_view, (), {})


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_gets_exactly_what_it_may(role, make_user, samples):
    user = make_user(role)
    client = Client()
    client.force_login(user)
    before = (Customer.objects.count(), CustomerPhone.objects.count(), Customer.history.count())
    failures = []
    checked = 0
    for route, callback, _name in project_routes():
        view = view_declaration(callback)
        if getattr(view, "public", False):
            continue
        path = sample_path(route, samples)
        for method in methods_of(callback):
            response = getattr(client, method.lower())(path, data={} if method == "GET" else None)
            allowed = expected_allowed(role, view, method)
            checked += 1
            if allowed and response.status_code in (401, 403):
                failures.append(f"{role} {method} {path}: may, got {response.status_code}")
            if not allowed and response.status_code not in (403, 404):
                failures.append(f"{role} {method} {path}: may not, got {response.status_code}")
    assert checked > 20
    assert not failures, "\n".join(failures)
    if role in ("internal_auditor", "third_party_partner", "field_engineer"):
        # Roles that may change no customer changed none.
        assert (Customer.objects.count(), CustomerPhone.objects.count(), Customer.history.count()) == before


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(samples):
    client = Client()
    for route, callback, _name in project_routes():
        view = view_declaration(callback)
        if getattr(view, "public", False):
            continue
        path = sample_path(route, samples)
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), path
            if response.headers.get("Content-Type", "").startswith("application/json"):
                assert response.json()["error"]["code"] in ("not_authenticated", "authentication_failed",
                                                            "permission_denied")
        else:
            assert response.status_code == 302 and response.url.startswith(reverse("login")), path


def _admin_urls():
    urls = [reverse("admin:index")]
    for model in admin_site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLES))
def test_admin_site_only_for_administrators(role, make_user):
    client = Client()
    client.force_login(make_user(role))
    may = "core.admin:access" in ROLES[role].permissions
    for url in _admin_urls():
        response = client.get(url)
        if may:
            assert response.status_code == 200, url
        else:
            assert response.status_code == 403, url


@pytest.mark.django_db
def test_auditor_reads_the_reveal_log_but_cannot_write(auditor, customer, make_user):
    supervisor = make_user("supervisor")
    RevealLog.objects.create(user=supervisor, customer=customer, field="id_number", reason="核实身份")
    client = Client()
    client.force_login(auditor)
    assert client.get(reverse("customers:reveal_log")).status_code == 200
    assert client.get("/api/v1/reveal-log/").json()["results"][0]["reason"] == "核实身份"
    response = client.patch(f"/api/v1/customers/{customer.pk}/", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.name == "上海浦东张记餐饮店"
