"""Workforce tunables (R9.2–R9.4): every default number, with the rule or seed it comes from.

Stored as data (core.Setting, the admin's *Settings*); code reads `tunables.get(key)`. Imported by the app's
`ready()` so that the admin lists them even before a workforce page is opened.
"""

from django.utils.translation import gettext_lazy as _

from kefu.core.tunables import Tunable, register

SERVICE_LEVEL_TARGET = register(Tunable(
    "workforce.service_level_target", 0.8, float, _("Service-level target (share of calls answered in time)"),
    help_text=_("R9.2: e.g. 80 percent of calls answered within 20 seconds."), source="R9.2", minimum=0,
    maximum=0.9999))
ANSWER_WITHIN_SECONDS = register(Tunable(
    "workforce.answer_within_seconds", 20, float, _("Answer time of the service level (seconds)"),
    help_text=_("R9.2: e.g. 80 percent of calls answered within 20 seconds."), source="R9.2", minimum=0))
ANSWER_RATE_TARGET = register(Tunable(
    "workforce.answer_rate_target", 0.9, float, _("Answer-rate target"),
    help_text=_("R9.2 [000]: the answer rate is kept above 90%."), source="R9.2 [000]", minimum=0, maximum=0.9999))
SHRINKAGE = register(Tunable(
    "workforce.shrinkage", 0.0, float, _("Shrinkage (share of paid time not on the phones)"),
    help_text=_("R9.2: breaks, training, meetings, absence. The seeds give no figure, so the default is none; "
                "set your centre's measured value."), source="R9.2", minimum=0, maximum=0.99))
MAX_OCCUPANCY = register(Tunable(
    "workforce.max_occupancy", 1.0, float, _("Maximum occupancy of agents on the phones"),
    help_text=_("R9.2: the occupancy cap. The seeds give no figure, so the default 1 means no cap; "
                "many centres use 0.85."), source="R9.2", minimum=0.01, maximum=1))
SUBSCRIBERS_PER_SEAT = register(Tunable(
    "workforce.subscribers_per_seat", 20_000, int, _("Subscribers per seat"),
    help_text=_("R9.3 [004]: one seat for every 20,000 subscribers (130,000 subscribers → 6 seats)."),
    source="R9.3 [004]", minimum=1))
DAYS_PER_MONTH = register(Tunable(
    "workforce.days_per_month", 30, float, _("Days a seat is served per month"),
    help_text=_("R9.4 [004]: a seat open every day is served 30 days a month."), source="R9.4 [004]",
    minimum=1, maximum=31))
LEGAL_HOURS_PER_MONTH = register(Tunable(
    "workforce.legal_hours_per_month", 166.64, float, _("Legal working hours per person per month"),
    help_text=_("R9.4 [004]: 20.83 days × 8 hours = 166.64 hours, the statutory monthly average in China."),
    source="R9.4 [004]", minimum=1))
SEAT_TRIGGER_DROP_POINTS = register(Tunable(
    "workforce.seat_trigger_drop_points", 5.0, float, _("Answer-rate drop that calls for a new seat (points)"),
    help_text=_("R9.3 [004]: the answer rate down 5 points three weeks running → propose opening a seat."),
    source="R9.3 [004]", minimum=0.1, maximum=100))
SEAT_TRIGGER_WEEKS = register(Tunable(
    "workforce.seat_trigger_weeks", 3, int, _("Weeks running the answer rate must stay down"),
    help_text=_("R9.3 [004]: the answer rate down 5 points three weeks running → propose opening a seat."),
    source="R9.3 [004]", minimum=1, maximum=52))

ALL = (SERVICE_LEVEL_TARGET, ANSWER_WITHIN_SECONDS, ANSWER_RATE_TARGET, SHRINKAGE, MAX_OCCUPANCY,
       SUBSCRIBERS_PER_SEAT, DAYS_PER_MONTH, LEGAL_HOURS_PER_MONTH, SEAT_TRIGGER_DROP_POINTS, SEAT_TRIGGER_WEEKS)
