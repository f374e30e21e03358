"""The default workflows and ticket kinds of the seeds (R4.1, R4.2), stored as data on migrate.

Everything here is a default: administrators change states, transitions, roles and kinds in the admin.
"""

from django.utils.translation import gettext_lazy as _

STATES = (
    # code, name, initial, resolved, closed, pauses clock
    ("new", _("New"), True, False, False, False),
    ("assigned", _("Assigned"), False, False, False, False),
    ("in_progress", _("In progress"), False, False, False, False),
    ("waiting_customer", _("Waiting for customer"), False, False, False, True),
    ("resolved", _("Resolved"), False, True, False, False),
    ("closed", _("Closed"), False, True, True, False),
)

_SENIOR = ("shift_lead", "supervisor", "complaint_handler", "admin")

TRANSITIONS = (
    # code, name, from, to, roles (empty: any role that may change tickets), reason required, effects
    ("assign", _("Assign"), "new", "assigned", (), False, ["notify"]),
    ("start", _("Start work"), "new", "in_progress", (), False, []),
    ("start", _("Start work"), "assigned", "in_progress", (), False, []),
    ("wait", _("Wait for customer"), "in_progress", "waiting_customer", (), True, ["stop_clock"]),
    ("resume", _("Resume"), "waiting_customer", "in_progress", (), False, ["start_clock"]),
    ("resolve", _("Resolve"), "in_progress", "resolved", (), True, ["notify"]),
    ("resolve", _("Resolve"), "assigned", "resolved", (), True, ["notify"]),
    ("close", _("Close"), "resolved", "closed", (), False, ["stop_clock"]),
    ("reopen", _("Reopen"), "resolved", "in_progress", (), True, ["start_clock", "notify"]),
    ("reopen", _("Reopen"), "closed", "in_progress", _SENIOR, True, ["start_clock", "notify"]),
)

# Consultation and simple phone fixes may be closed at once, in the same call.
QUICK_TRANSITIONS = TRANSITIONS + (
    ("close_at_once", _("Close at once"), "new", "closed", (), True, ["stop_clock"]),
)

KINDS = (
    # code, name, workflow, closable at once, work order, default team code
    ("consultation", _("Consultation"), "quick", True, "", "desk"),
    ("phone_fix", _("Simple fault solved by phone"), "quick", True, "", "desk"),
    ("repair", _("Repair"), "default", False, "repair", None),
    ("installation", _("Installation"), "default", False, "installation", None),
    ("technical_fault", _("Technical fault"), "default", False, "", "tech-pos"),
    ("complaint", _("Complaint"), "default", False, "", "complaints"),
    ("service_request", _("Service request"), "default", False, "", None),
    ("billing_inquiry", _("Billing inquiry"), "default", False, "", None),
    ("other", _("Other"), "default", False, "", None),
)

PRIORITIES = (("urgent", _("Urgent"), 1, False), ("high", _("High"), 2, False), ("normal", _("Normal"), 3, True),
              ("low", _("Low"), 4, False))

CATEGORIES = (("pos_terminal", _("POS terminal fault")), ("network", _("Network or system")),
              ("settlement", _("Settlement and billing")), ("installation", _("Installation and removal")),
              ("other", _("Other")))

SENTENCES = (
    ("solved", "您的工单{number}已于{resolved_at}处理完毕，处理结果：{resolution}。"),
    ("open", "您的工单{number}正在处理中（{state}），预计在{expected_at}前给您答复。"),
    ("open_no_date", "您的工单{number}正在处理中（{state}），我们会尽快给您答复。"),
)
