"""What each role may see and do (R1.1, R1.3) — the one central place.

Permission codes are declared here once. Which role holds which code is data (`accounts.Role.permissions`),
seeded from `DEFAULT_ROLES` and editable by an administrator. Every Django view and every API view declares
the code it needs (`permission` for reads, `write_permission` for changes, or `public = True`); the
middleware (`kefu.core.middleware`) and the DRF permission class (`kefu.core.api.KefuPermission`) both read
the declaration through `required_permission()`, so the rule cannot differ between the UI and the API.
Row scope (an engineer's own work orders, a partner's own team) lives in the selectors, which raise 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kefu.accounts.models import User

PUBLIC = "__public__"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

PERMISSIONS: dict[str, Any] = {
    "core.home:view": _("See the start page"),
    "core.api_docs:view": _("Read the API documentation"),
    "core.admin:access": _("Use the administration site (configuration data)"),
    "accounts.directory:view": _("See colleagues, teams and branches"),
    "accounts.profile:edit": _("Change one's own password and API token"),
    "customers.customer:view": _("See customers (personal data masked)"),
    "customers.customer:edit": _("Create and change customers"),
    "customers.customer:import": _("Import customers from Excel/CSV"),
    "customers.customer:history": _("See the change history of customers"),
    "customers.pii:reveal": _("Reveal a masked phone number, ID number or address (logged)"),
    "customers.pii:view": _("See personal data unmasked without revealing"),
    "customers.reveal_log:view": _("Read the log of revealed personal data"),
    "tickets.ticket:view": _("See the tickets of one's own teams and those assigned to oneself"),
    "tickets.any_ticket:view": _("See every ticket"),
    "tickets.ticket:create": _("Create tickets"),
    "tickets.ticket:change": _("Change tickets and add notes and replies"),
    "tickets.ticket:transition": _("Move tickets through their workflow"),
    "tickets.ticket:dispatch": _("Dispatch tickets to teams"),
    "tickets.work_order:create": _("Create work orders after re-verifying the customer's details"),
    "tickets.work_order:assign": _("Assign engineers to work orders (dispatcher)"),
    "tickets.work_order:report": _("Record arrival, work done, parts and result on one's own work orders"),
    "calendars.calendar:view": _("See working calendars and the official holiday schedule; compute deadlines"),
    "calendars.calendar:edit": _("Change working calendars and import or edit the official holiday schedule"),
    "contacts.contact:view": _("See contacts (calls, faxes, e-mails, visits) and their events"),
    "contacts.contact:edit": _("Record contacts, their 5W1H summary and outcome, and link them to tickets"),
    "contacts.recording:listen": _("Open call recordings"),
    "contacts.figures:view": _("See call-center figures (answer rate, service level, handle times)"),
    "contacts.phrase:view": _("See the standard and forbidden phrases"),
    "contacts.phrase:edit": _("Edit the standard and forbidden phrases"),
    "contacts.agent_state:change": _("Set one's own agent state (ready, break, after-call work, …)"),
    "contacts.agent_state:view": _("See every agent's state"),
    "contacts.cdr:import": _("Import call detail records"),
    "contacts.workbench:use": _("Use the agent workbench: screen pop, call timer, record a contact and its ticket"),
    "contacts.recording_log:view": _("Read the log of who opened which call recording"),
    "workforce.staffing:view": _("Use the staffing, seat and headcount calculators (Erlang C and Erlang A)"),
    "workforce.forecast:view": _("See contact-volume history and forecasts"),
    "workforce.forecast:edit": _("Import contact-volume history and make forecasts"),
    "workforce.plan:view": _("See shift templates, minimum agents and staffing plans"),
    "workforce.plan:edit": _("Run the shift optimiser and make staffing plans"),
    "workforce.roster:view": _("See every roster"),
    "workforce.roster:edit": _("Make rosters, fix assignments by hand and publish rosters"),
    "workforce.own_roster:view": _("See one's own published roster"),
    "workforce.leave:request": _("Ask for leave naming a substitute"),
    "workforce.leave:approve": _("Approve or reject the leave of one's direct reports"),
    "workforce.leave:view": _("See one's own leave requests, those one substitutes on and those of one's reports"),
    "workforce.any_leave:view": _("See every leave request"),
    "workforce.surge:view": _("See surges (non-phone staff moved onto the phones)"),
    "workforce.surge:switch": _("Start and end a surge"),
    "complaints.complaint:view": _("See complaints and their follow-up callbacks"),
    "complaints.complaint:create": _("Transfer a complaint to the complaint desk or register one that came in"),
    "complaints.complaint:handle": _("Handle complaints: record, extend with consent, investigate, inform, close"),
    "complaints.investigation:view": _("See investigations of complaints against staff"),
    "complaints.deduction:view": _("See appraisal deductions from verified complaints"),
    "service_exceptions.exception:report": _("Report a service exception"),
    "service_exceptions.exception:view": _("See the service exceptions one reported, owns or whose team is involved"),
    "service_exceptions.any_exception:view": _("See every service exception"),
    "service_exceptions.exception:handle": _("Handle service exceptions as the service desk: assess, plan levels 2 "
                                             "and 3, follow up, inform the customer, record the rating"),
    "service_exceptions.exception:plan": _("Draft the handling plan of a service exception (the level decides who)"),
    "service_exceptions.exception:plan_major": _("Plan level-1 service exceptions with the departments involved"),
    "service_exceptions.plan:approve": _("Approve the plan of a level-1 service exception"),
    "service_exceptions.ledger:view": _("Read the service exception ledger, its figures and analysis reports"),
    "service_exceptions.link:create": _("Make signed links to the public service exception form"),
    "callbacks.callback:view": _("See one's own callback list and the callbacks one made"),
    "callbacks.any_callback:view": _("See every callback, its answers and the callback results"),
    "callbacks.callback:perform": _("Make the callbacks on one's own list and record the answers"),
    "callbacks.callback:plan": _("Plan the day's callbacks, run the callback rules and spread them over agents"),
    "callbacks.survey:send": _("Send satisfaction survey links by SMS or web"),
    "callbacks.survey:view": _("See satisfaction survey answers and figures"),
}


@dataclass(frozen=True)
class RoleDefinition:
    code: str
    name: Any
    permissions: frozenset[str]
    read_only: bool = False


_STAFF = frozenset({"core.home:view", "core.api_docs:view", "accounts.directory:view", "accounts.profile:edit",
                    "calendars.calendar:view", "service_exceptions.exception:report",
                    "service_exceptions.exception:view"})
_CUSTOMER_DESK = _STAFF | {"customers.customer:view", "customers.customer:edit", "customers.pii:reveal"}
_CUSTOMER_READ = _STAFF | {"customers.customer:view", "customers.pii:reveal"}
_TICKET_DESK = frozenset({"tickets.ticket:view", "tickets.any_ticket:view", "tickets.ticket:create",
                          "tickets.ticket:change", "tickets.ticket:transition", "tickets.ticket:dispatch",
                          "tickets.work_order:create"})
_TICKET_READ = frozenset({"tickets.ticket:view", "tickets.any_ticket:view"})
_TICKET_TEAM = frozenset({"tickets.ticket:view", "tickets.ticket:change", "tickets.ticket:transition"})
_CONTACT_DESK = frozenset({"contacts.contact:view", "contacts.contact:edit", "contacts.phrase:view",
                           "contacts.agent_state:change", "contacts.workbench:use"})
_CONTACT_LEAD = _CONTACT_DESK | {"contacts.figures:view", "contacts.agent_state:view"}
_CONTACT_REPORTS = frozenset({"contacts.contact:view", "contacts.figures:view", "contacts.agent_state:view"})
# R5 [003]: agents transfer complaints; the complaint desk (and its leads) handles them; R8.4 deductions.
_COMPLAINT_AGENT = frozenset({"complaints.complaint:view", "complaints.complaint:create"})
_COMPLAINT_DESK = _COMPLAINT_AGENT | {"complaints.complaint:handle", "complaints.investigation:view"}
_COMPLAINT_READ = frozenset({"complaints.complaint:view", "complaints.investigation:view",
                             "complaints.deduction:view"})
# R6 [001]: the service desk assesses and plans levels 2–3; management plans and approves level 1.
_EXCEPTION_DESK = frozenset({"service_exceptions.any_exception:view", "service_exceptions.exception:handle",
                             "service_exceptions.exception:plan"})
_EXCEPTION_READ = frozenset({"service_exceptions.any_exception:view", "service_exceptions.ledger:view"})
_EXCEPTION_MANAGEMENT = _EXCEPTION_READ | {"service_exceptions.exception:plan",
                                          "service_exceptions.exception:plan_major",
                                          "service_exceptions.plan:approve", "service_exceptions.link:create"}
# R7 [000, 002]: business management plans callbacks; agents call from their own lists; QA and management read.
_CALLBACK_AGENT = frozenset({"callbacks.callback:view", "callbacks.callback:perform", "callbacks.survey:send"})
_CALLBACK_PLAN = _CALLBACK_AGENT | {"callbacks.any_callback:view", "callbacks.callback:plan", "callbacks.survey:view"}
_CALLBACK_READ = frozenset({"callbacks.callback:view", "callbacks.any_callback:view", "callbacks.survey:view"})
# R9.5–R9.6: agents see their own roster and ask for leave; shift leads and supervisors plan, roster, approve
# and start surges; management reads.
_WORKFORCE_SELF = frozenset({"workforce.own_roster:view", "workforce.leave:request", "workforce.leave:view"})
_WORKFORCE_LEAD = _WORKFORCE_SELF | {"workforce.forecast:view", "workforce.forecast:edit", "workforce.plan:view",
                                     "workforce.plan:edit", "workforce.roster:view", "workforce.roster:edit",
                                     "workforce.leave:approve", "workforce.surge:view", "workforce.surge:switch"}
_WORKFORCE_READ = frozenset({"workforce.forecast:view", "workforce.plan:view", "workforce.roster:view",
                             "workforce.leave:view", "workforce.any_leave:view", "workforce.surge:view"})

# R1.1: the roles of a service center. Seeded into accounts.Role; administrators change them there.
DEFAULT_ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition("agent", _("Agent"), _CUSTOMER_DESK | _TICKET_DESK | _CONTACT_DESK | _COMPLAINT_AGENT
                   | _WORKFORCE_SELF | _CALLBACK_AGENT),
    RoleDefinition("shift_lead", _("Shift lead"), _CONTACT_LEAD |
                   _CUSTOMER_DESK | _TICKET_DESK | {"customers.customer:history", "tickets.work_order:assign",
                                                    "workforce.staffing:view"}
                   | _COMPLAINT_DESK | _EXCEPTION_DESK | _WORKFORCE_LEAD
                   | _CALLBACK_AGENT | {"callbacks.any_callback:view", "callbacks.survey:view"}),
    RoleDefinition("complaint_handler", _("Complaint handler"),
                   _CUSTOMER_DESK | _TICKET_DESK | _CONTACT_DESK | _COMPLAINT_DESK | _EXCEPTION_DESK
                   | _WORKFORCE_SELF | _CALLBACK_AGENT),
    RoleDefinition(
        "supervisor",
        _("Supervisor"),
        _CUSTOMER_DESK | _TICKET_DESK | _CONTACT_LEAD
        | {"contacts.phrase:edit", "contacts.recording:listen", "contacts.cdr:import"}
        | {"customers.customer:history", "customers.customer:import", "customers.reveal_log:view",
           "tickets.work_order:assign", "workforce.staffing:view"}
        | _COMPLAINT_DESK | _COMPLAINT_READ | _EXCEPTION_DESK | _EXCEPTION_READ | {"service_exceptions.link:create"}
        | _WORKFORCE_LEAD | {"workforce.any_leave:view"} | _CALLBACK_PLAN | {"contacts.recording_log:view"},
    ),
    RoleDefinition("qa_inspector", _("Quality inspector"),
                   _CUSTOMER_READ | _TICKET_READ | {"customers.customer:history"}
                   | {"contacts.contact:view", "contacts.phrase:view", "contacts.recording:listen",
                      "contacts.recording_log:view"}
                   | _COMPLAINT_READ | _EXCEPTION_READ | _WORKFORCE_SELF | _CALLBACK_READ),
    RoleDefinition("retention_agent", _("Retention agent"), _CUSTOMER_DESK | _TICKET_DESK | _CONTACT_DESK
                   | _WORKFORCE_SELF | _CALLBACK_AGENT),
    RoleDefinition("back_office", _("Back office"), _CUSTOMER_DESK | _TICKET_DESK | {"customers.customer:import"}
                   | {"contacts.contact:view", "contacts.contact:edit", "contacts.phrase:view"} | _WORKFORCE_SELF),
    RoleDefinition(
        "business_management",
        _("Business management"),
        _CONTACT_REPORTS |
        _CUSTOMER_DESK | _TICKET_DESK | {"customers.customer:import", "customers.customer:history",
                                         "workforce.staffing:view"}
        | {"complaints.complaint:view"} | _EXCEPTION_READ | _WORKFORCE_READ | _CALLBACK_PLAN,
    ),
    RoleDefinition("tech_support", _("Tech support"), _CUSTOMER_READ | _TICKET_DESK),
    RoleDefinition("dispatcher", _("Dispatcher"), _CUSTOMER_READ | _TICKET_DESK | {"tickets.work_order:assign"}),
    # Field engineers and partners reach customers only through their own work orders (tickets issue).
    RoleDefinition("field_engineer", _("Field engineer"),
                   (_STAFF - {"accounts.directory:view"}) | _TICKET_TEAM | {"tickets.work_order:report"}),
    RoleDefinition("third_party_partner", _("Third-party partner"),
                   frozenset({"core.home:view", "accounts.profile:edit"}) | _TICKET_TEAM
                   | {"tickets.work_order:report"}),
    RoleDefinition("business_department", _("Business department member"), _CUSTOMER_READ | _TICKET_TEAM),
    RoleDefinition("management", _("Management"), _CUSTOMER_READ | _TICKET_READ | _CONTACT_REPORTS
                   | {"customers.customer:history", "customers.reveal_log:view", "workforce.staffing:view"}
                   | _COMPLAINT_READ | _EXCEPTION_MANAGEMENT | _WORKFORCE_READ | _CALLBACK_READ),
    RoleDefinition(
        "internal_auditor",
        _("Internal auditor"),
        frozenset(code for code in PERMISSIONS if code.endswith(":view") or code.endswith(":history"))
        - {"customers.pii:view"},
        read_only=True,
    ),
    # The administrator configures; field work is recorded only by the engineer who did it.
    RoleDefinition("admin", _("Administrator"),
                   frozenset(PERMISSIONS) - {"customers.pii:view", "tickets.work_order:report"}),
)


def user_permissions(user: User | AnonymousUser) -> frozenset[str]:
    """The codes a user holds through his roles, computed once per request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_kefu_permissions", None)
    if cached is None:
        codes: set[str] = set()
        read_only = False
        for permissions, role_read_only in user.roles.values_list("permissions", "read_only"):
            codes.update(permissions or ())
            read_only = read_only or role_read_only
        cached = (frozenset(codes), read_only)
        user._kefu_permissions = cached
    return cached[0]


def user_is_read_only(user: User | AnonymousUser) -> bool:
    """R1.3: a user holding a read-only role (the internal auditor) reads everything and changes nothing."""
    user_permissions(user)
    cached = getattr(user, "_kefu_permissions", None)
    return bool(cached and cached[1])


def has_permission(user: User | AnonymousUser, code: str) -> bool:
    return code in user_permissions(user)


def may(user: User | AnonymousUser | None, code: str) -> bool:
    """Whether `user` may change something under `code`: he holds it and no role of his is read-only (R1.3)."""
    return user is not None and has_permission(user, code) and not user_is_read_only(user)


def require(user: User | AnonymousUser | None, code: str, *, system: bool = False) -> None:
    """The permission rule again inside a service, whoever calls it (page, API, command, task): 403 unless
    `user` may change something under `code`. With `system=True` no user means the system itself or the
    operator's command line, which may."""
    if user is None and system:
        return
    if not may(user, code):
        from .errors import KefuError

        raise KefuError(_("You may not do this."), code="permission_denied", status=403)


def required_permission(view: Any, method: str, action: str | None = None) -> str | None:
    """The code a request needs, read from the view's declaration; None when nothing is declared.

    Declarations: `public = True`; `permission` (reads) and `write_permission` (changes); for DRF viewsets
    `action_permissions = {"list": code, ...}` overriding both per action.
    """
    if getattr(view, "public", False):
        return PUBLIC
    per_action = getattr(view, "action_permissions", None)
    if per_action and action in per_action:
        return per_action[action]
    if method.upper() in SAFE_METHODS:
        return getattr(view, "permission", None)
    return getattr(view, "write_permission", None)


def is_write(view: Any, method: str) -> bool:
    """Whether the request changes data; views may mark a POST that only reads (e.g. a logged reveal)."""
    if method.upper() in SAFE_METHODS:
        return False
    return not getattr(view, "read_only_action", False)


def check(user: User | AnonymousUser, view: Any, method: str, action: str | None = None) -> str:
    """Decide a request: 'ok', 'login' (anonymous), 'forbidden' or 'undeclared'."""
    code = required_permission(view, method, action)
    if code is None:
        return "undeclared"
    if code == PUBLIC:
        return "ok"
    if not user.is_authenticated:
        return "login"
    if not has_permission(user, code):
        return "forbidden"
    if is_write(view, method) and user_is_read_only(user):
        return "forbidden"
    return "ok"
