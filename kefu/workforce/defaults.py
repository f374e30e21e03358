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

# --- Forecast, shifts, rosters, leave and surge (R9.1, R9.5, R9.6) ------------------------------------------

FORECAST_BACKTEST_DAYS = register(Tunable(
    "workforce.forecast_backtest_days", 14, int, _("Days held out to choose the forecast model"),
    help_text=_("R9.1: each model forecasts the last days of the history from the days before; the lower error "
                "(WAPE) wins."), source="R9.1", minimum=1, maximum=91))
FORECAST_HISTORY_DAYS = register(Tunable(
    "workforce.forecast_history_days", 182, int, _("Days of history a forecast uses"),
    help_text=_("R9.1: the most recent days of contact volume used to fit the models."), source="R9.1",
    minimum=7, maximum=1096))
DEFAULT_AHT_SECONDS = register(Tunable(
    "workforce.default_aht_seconds", 180.0, float, _("Handling time of a new queue (seconds)"),
    help_text=_("R9.2: a queue first seen in a volume import starts with this average handling time. The seeds "
                "give no figure: set each queue's measured value."), source="R9.2", minimum=1))
PLAN_TIME_LIMIT = register(Tunable(
    "workforce.plan_time_limit_seconds", 30.0, float, _("Time limit of the shift optimiser (seconds)"),
    help_text=_("R9.5: the optimiser proves its plan optimal or reports the gap when the time is up."),
    source="R9.5", minimum=1, maximum=3600))
ROSTER_TIME_LIMIT = register(Tunable(
    "workforce.roster_time_limit_seconds", 50.0, float, _("Time limit of the roster solver (seconds)"),
    help_text=_("R9.5: the roster solver returns its best roster and the gap when the time is up."),
    source="R9.5", minimum=1, maximum=3600))
SOLVER_WORKERS = register(Tunable(
    "workforce.solver_workers", 2, int, _("Solver threads"),
    help_text=_("R9.5: threads CP-SAT may use (the number of cores of the worker machine)."), source="R9.5",
    minimum=1, maximum=64))
MIN_REST_HOURS = register(Tunable(
    "workforce.min_rest_hours", 12.0, float, _("Minimum rest between two shifts (hours)"),
    help_text=_("R9.5: a roster never starts a shift sooner after the previous one ended. The seeds give no "
                "figure; 12 hours lets a 12-hour shift be followed by the same shift the next day."),
    source="R9.5", minimum=0, maximum=48))
MAX_CONSECUTIVE_DAYS = register(Tunable(
    "workforce.max_consecutive_days", 6, int, _("Most working days in a row"),
    help_text=_("R9.5: Labour Law art. 38 grants at least one day of rest a week."), source="R9.5",
    minimum=1, maximum=31))
WEEKLY_REST_DAYS = register(Tunable(
    "workforce.weekly_rest_days", 1, int, _("Days of rest in every calendar week"),
    help_text=_("R9.5: Labour Law art. 38 grants at least one day of rest a week."), source="R9.5",
    minimum=0, maximum=7))
MAX_OVERTIME_HOURS = register(Tunable(
    "workforce.max_overtime_hours_per_month", 36.0, float, _("Overtime allowed per month (hours)"),
    help_text=_("R9.5: a roster gives nobody more than the legal hours per month plus this (Labour Law art. 41: "
                "at most 36 hours a month)."), source="R9.5", minimum=0, maximum=200))
ROSTER_ROLES = register(Tunable(
    "workforce.roster_roles", "agent", str, _("Roles rostered on the phones"),
    help_text=_("R9.5: role codes, comma-separated, of the staff the roster assigns to shifts."),
    source="R9.5"))
SURGE_ROLES = register(Tunable(
    "workforce.surge_roles", "shift_lead,qa_inspector,retention_agent,back_office,complaint_handler", str,
    _("Roles moved onto the phones in a surge"),
    help_text=_("R9.6 [004]: in a major outage everybody except the phone agents (shift leads, QA, retention, "
                "back office, …) can be moved onto the phones. Role codes, comma-separated."),
    source="R9.6 [004]"))

CONTACT_VOLUME_WINDOW_HOURS = register(Tunable(
    "workforce.contact_volume_window_hours", 6, int, _("Hours of recorded calls re-counted into the volume history"),
    help_text=_("R9.1: every quarter hour the offered calls of this many past hours are counted again into the "
                "forecast history, so late call events still count."), source="R9.1", minimum=1, maximum=72))

PLANNING = (FORECAST_BACKTEST_DAYS, FORECAST_HISTORY_DAYS, DEFAULT_AHT_SECONDS, PLAN_TIME_LIMIT, ROSTER_TIME_LIMIT,
            SOLVER_WORKERS, MIN_REST_HOURS, MAX_CONSECUTIVE_DAYS, WEEKLY_REST_DAYS, MAX_OVERTIME_HOURS,
            ROSTER_ROLES, SURGE_ROLES, CONTACT_VOLUME_WINDOW_HOURS)
