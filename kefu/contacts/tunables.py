"""Tunables of the contacts app (kefu.core.tunables), registered when the app is ready."""

from django.utils.translation import gettext_lazy as _

from kefu.core.tunables import Tunable, register

register(Tunable(
    "contacts.service_level_seconds", 20, int, _("Service level: answered within this many seconds"),
    help_text=_("R3.6, R9.2 [000]: the share of offered calls answered within T seconds (80 % within 20 s)."),
    source="R3.6 R9.2 [000]", minimum=1, maximum=3600))
register(Tunable(
    "contacts.short_abandon_seconds", 5, int, _("Short abandon: a caller who hangs up within this many seconds"),
    help_text=_("Such calls are reported apart and left out of offered calls, answer rate and service level; "
                "0 counts every abandoned call. The seeds give no value; 5 s is the usual convention."),
    source="R3.6", minimum=0, maximum=600))
register(Tunable(
    "contacts.figures_interval_minutes", 30, int, _("Default interval of the call-center figures (minutes)"),
    help_text=_("R9.1: 15 or 30 minutes (60 for hourly figures)."), source="R9.1", minimum=15, maximum=60))
register(Tunable(
    "contacts.telephony_max_age_seconds", 300, int, _("Oldest telephony request accepted (seconds)"),
    help_text=_("R3.6: a signed request whose timestamp is older (or further in the future) is refused as a "
                "replay."), source="R3.6", minimum=10, maximum=3600))
register(Tunable(
    "contacts.telephony_secret", "", str, _("Shared secret of the telephony endpoint (HMAC-SHA256)"),
    help_text=_("Used when the environment variable KEFU_TELEPHONY_SECRET is not set. Empty: the endpoint "
                "refuses every request."), source="R3.6"))
register(Tunable(
    "contacts.cdr_import_max_bytes", 100 * 1024 * 1024, int, _("Largest call-detail-record file (bytes)"),
    source="R3.6", minimum=1024))
register(Tunable(
    "contacts.call_target_minutes", 3, int, _("Call timer: target length of a call (minutes)"),
    help_text=_("R3.2 [002]: a call is kept within 3 minutes; the workbench timer marks it."),
    source="R3.2 [002]", minimum=1, maximum=120))
register(Tunable(
    "contacts.call_routine_max_minutes", 5, int, _("Call timer: longest routine call (minutes)"),
    help_text=_("R3.2 [002]: a routine call lasts at most 5 minutes."), source="R3.2 [002]", minimum=1, maximum=120))
register(Tunable(
    "contacts.call_handover_minutes", 8, int, _("Call timer: hand over to the second line after (minutes)"),
    help_text=_("R3.2 [003] 第十二条: a call not solved within 8 minutes is handed to the second-line team of its "
                "service category, unless the customer wishes to go on."), source="R3.2 [003]", minimum=1,
    maximum=240))
register(Tunable(
    "contacts.workbench_recent_contacts", 5, int, _("Workbench: recent contacts shown"),
    help_text=_("R3.2: how many of the caller's earlier contacts the screen pop lists."), source="R3.2", minimum=1,
    maximum=50))
register(Tunable(
    "contacts.workbench_list_limit", 10, int, _("Workbench: open tickets and complaints shown"),
    help_text=_("R3.2: how many of the caller's open tickets and complaints the screen pop lists."), source="R3.2",
    minimum=1, maximum=50))
