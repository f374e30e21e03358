"""Tunables of the calendars app (kefu.core.tunables), registered when the app is ready."""

from django.utils.translation import gettext_lazy as _

from kefu.core.tunables import Tunable, register

register(Tunable(
    "calendars.missing_year_warning_month", 11, int,
    _("Month from which administrators are warned that next year's official schedule is missing"),
    help_text=_("11 = from 1 November (the State Council usually publishes the next year's holidays in "
                "November)."),
    source="R11.1", minimum=1, maximum=12))
