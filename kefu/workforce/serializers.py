"""API shapes for the workforce calculators (R9.2–R9.4) and for forecasts, plans, rosters, leave and surges (R9.1,
R9.5, R9.6). Numbers are read as decimals, so the exact ceilings
of `erlang.py` see exactly what the client sent; range checks live in `selectors` (one rule for CLI, API, UI)."""

from rest_framework import serializers

from . import erlang
from .models import (
    CoverageMinimum,
    Forecast,
    LeaveRequest,
    PlanningQueue,
    Roster,
    RosterAssignment,
    ShiftTemplate,
    SolverJob,
    StaffingPlan,
    Surge,
    WorkforceEvent,
)


def _decimal(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class StaffingInput(serializers.Serializer):
    calls = _decimal(help_text="Calls offered in the interval; may be fractional (a forecast).")
    interval_seconds = _decimal(help_text="Interval length in seconds, e.g. 900 or 1800.")
    aht_seconds = _decimal(help_text="Average handling time in seconds.")
    answer_within_seconds = _decimal(required=False, help_text="T of the service level; default: setting "
                                                               "workforce.answer_within_seconds (20 s, R9.2).")
    service_level = _decimal(required=False, help_text="Target share answered within T, below 1 (e.g. 0.8).")
    answer_rate = _decimal(required=False, help_text="Target answer rate (接通率) = 1 − P(abandon), below 1.")
    agents = serializers.IntegerField(required=False, help_text="Evaluate this staffing instead of a target.")
    patience_seconds = _decimal(required=False, help_text="Mean patience of waiting callers; selects Erlang A.")
    shrinkage = _decimal(required=False, help_text="In [0, 1); default: setting workforce.shrinkage.")
    max_occupancy = _decimal(required=False, help_text="In (0, 1]; default: setting workforce.max_occupancy.")


class StaffingOutput(serializers.Serializer):
    model = serializers.CharField(help_text=f"{erlang.ERLANG_C} (no patience given) or {erlang.ERLANG_A}")
    traffic_erlangs = serializers.FloatField()
    agents = serializers.IntegerField(help_text="On the phones: the minimum meeting every target after the "
                                                "occupancy cap, or the given agents.")
    scheduled_agents = serializers.IntegerField(help_text="⌈agents / (1 − shrinkage)⌉")
    service_level = serializers.FloatField()
    asa_seconds = serializers.FloatField(allow_null=True, help_text="Null when the queue is unstable.")
    occupancy = serializers.FloatField(allow_null=True, help_text="Null with zero agents.")
    p_wait = serializers.FloatField()
    p_abandon = serializers.FloatField(required=False, help_text="Erlang A only.")


class SeatsInput(serializers.Serializer):
    subscribers = _decimal()
    subscribers_per_seat = _decimal(required=False, help_text="Default: setting workforce.subscribers_per_seat "
                                                              "(20,000, R9.3 [004]).")


class SeatsOutput(serializers.Serializer):
    seats = serializers.IntegerField()


class HeadcountInput(serializers.Serializer):
    seat_hours_per_day = _decimal()
    days_per_month = _decimal(required=False, help_text="Default: setting workforce.days_per_month (30, R9.4).")
    legal_hours_per_month = _decimal(required=False, help_text="Default: setting workforce.legal_hours_per_month "
                                                               "(166.64 = 20.83 days × 8 h, R9.4).")
    seats = _decimal(required=False, help_text="A whole number; default 1.")


class HeadcountOutput(serializers.Serializer):
    people_per_seat = serializers.FloatField()
    people = serializers.FloatField()


class SeatTriggerInput(serializers.Serializer):
    weekly_answer_rates = serializers.ListField(child=_decimal(), allow_empty=True,
                                                help_text="Weekly answer rates as shares, oldest first.")
    baseline = _decimal(required=False, allow_null=True, help_text="Reference answer rate; default: the week "
                                                                   "before the latest run of weeks.")


class SeatTriggerOutput(serializers.Serializer):
    propose_seat = serializers.BooleanField()
    baseline = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    weeks_below = serializers.IntegerField()
    weeks_required = serializers.IntegerField()


class DefaultOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    value = serializers.JSONField()
    default = serializers.JSONField()
    source = serializers.CharField()
    help_text = serializers.CharField()


# --- Forecast, plans, rosters, leave and surge (R9.1, R9.5, R9.6) ---------------------------------------------
# Status and kind fields are plain strings here (their values are listed in the help text), so that the schema
# does not grow one enum per model for fields that share a name.


class WorkforceUserRef(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    work_number = serializers.CharField(allow_null=True)


class PlanningQueueSerializer(serializers.ModelSerializer):
    interval_minutes = serializers.IntegerField(required=False, help_text="15 or 30 (default 30).")

    class Meta:
        model = PlanningQueue
        fields = ["id", "code", "name", "interval_minutes", "aht_seconds", "patience_seconds", "service_level",
                  "answer_within_seconds", "answer_rate", "is_active"]

    def validate_interval_minutes(self, value: int) -> int:
        if value not in (15, 30):
            raise serializers.ValidationError("15 or 30")
        return value


class VolumeImportInput(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="CSV: queue, interval_start, interval_minutes, offered.")
    csv = serializers.CharField(required=False, help_text="The same CSV as text, instead of a file.")
    dry_run = serializers.BooleanField(required=False, default=False)

    def validate(self, data: dict) -> dict:
        if not data.get("file") and not data.get("csv"):
            raise serializers.ValidationError({"file": "A CSV file (or csv text) is required."})
        return data


class VolumesFromContactsInput(serializers.Serializer):
    first_day = serializers.DateField(help_text="First day (local time) whose calls are counted.")
    last_day = serializers.DateField(help_text="Last day, inclusive.")

    def validate(self, data: dict) -> dict:
        if data["last_day"] < data["first_day"]:
            raise serializers.ValidationError({"last_day": "The last day must not come before the first day."})
        return data


class VolumesFromContactsOutput(serializers.Serializer):
    written = serializers.DictField(child=serializers.IntegerField(),
                                    help_text="Intervals written per queue code.")


class VolumeImportOutput(serializers.Serializer):
    rows = serializers.IntegerField()
    written = serializers.IntegerField()
    queues = serializers.DictField(child=serializers.IntegerField())
    errors = serializers.ListField(child=serializers.DictField())


class ForecastOutput(serializers.ModelSerializer):
    queue = serializers.CharField(source="queue.code")
    interval_minutes = serializers.IntegerField()
    day_kind = serializers.CharField(help_text="working_day, rest_day, holiday or adjusted_working_day (调休)")
    model = serializers.CharField(help_text="seasonal_naive or holt_winters, chosen by backtest")
    values = serializers.ListField(child=serializers.FloatField(), help_text="Contacts per interval from 00:00.")
    backtest = serializers.DictField(help_text="{model: {wape, mape}} for every model backtested")

    class Meta:
        model = Forecast
        fields = ["queue", "date", "interval_minutes", "day_kind", "model", "values", "wape", "mape", "backtest",
                  "history_days", "created_at"]


class ForecastPeriodInput(serializers.Serializer):
    queue = serializers.PrimaryKeyRelatedField(queryset=PlanningQueue.objects.all())
    month = serializers.CharField(required=False, help_text="e.g. 2026-03; or start_date and days")
    start_date = serializers.DateField(required=False)
    days = serializers.IntegerField(required=False, min_value=1, max_value=366)

    def validate(self, data: dict) -> dict:
        from kefu.core.errors import FieldError

        from .services import month_bounds

        if data.get("month"):
            try:
                data["start_date"], data["days"] = month_bounds(data["month"])
            except FieldError as error:
                raise serializers.ValidationError({"month": error.message_zh}) from None
        elif not (data.get("start_date") and data.get("days")):
            raise serializers.ValidationError({"month": "Give month, or start_date and days."})
        return data


class StaffingPlanInput(ForecastPeriodInput):
    time_limit_seconds = serializers.FloatField(required=False, min_value=1, max_value=3600)
    max_shifts_per_day = serializers.IntegerField(required=False, min_value=1)


class SolverJobOutput(serializers.ModelSerializer):
    kind = serializers.CharField(help_text="forecast, plan or roster")
    status = serializers.CharField(help_text="pending, running, succeeded or failed")
    url = serializers.SerializerMethodField()

    class Meta:
        model = SolverJob
        fields = ["id", "kind", "status", "stage", "progress", "params", "result", "message", "plan", "roster",
                  "created_at", "finished_at", "url"]

    def get_url(self, job: SolverJob) -> str:
        return f"/api/v1/workforce/solver-jobs/{job.pk}/"


class ShiftTemplateSerializer(serializers.ModelSerializer):
    span = serializers.CharField(read_only=True)

    class Meta:
        model = ShiftTemplate
        fields = ["id", "code", "name", "start", "duration_minutes", "paid_minutes", "is_night", "is_active",
                  "source", "span"]

    def validate(self, data: dict) -> dict:
        paid = data.get("paid_minutes", getattr(self.instance, "paid_minutes", None))
        length = data.get("duration_minutes", getattr(self.instance, "duration_minutes", None))
        if paid is not None and length is not None and paid > length:
            raise serializers.ValidationError({"paid_minutes": "Paid time cannot exceed the length of the shift."})
        return data


class CoverageMinimumSerializer(serializers.ModelSerializer):
    class Meta:
        model = CoverageMinimum
        fields = ["id", "name", "start", "end", "minimum_agents", "queue", "source", "is_active"]


class StaffingPlanOutput(serializers.ModelSerializer):
    queue = serializers.CharField(source="queue.code")
    interval_minutes = serializers.IntegerField()
    solver_status = serializers.CharField(help_text="optimal, feasible, infeasible or unknown")

    class Meta:
        model = StaffingPlan
        fields = ["id", "queue", "start_date", "days", "interval_minutes", "templates", "solver_status", "objective",
                  "best_bound", "gap", "wall_seconds", "paid_hours", "short_intervals", "lead_in", "notes",
                  "created_at"]


class StaffingPlanDayOutput(serializers.Serializer):
    date = serializers.DateField()
    forecast = serializers.ListField(child=serializers.FloatField())
    required = serializers.ListField(child=serializers.IntegerField())
    scheduled = serializers.ListField(child=serializers.IntegerField())
    starts = serializers.DictField(child=serializers.IntegerField())


class StaffingPlanDetailOutput(StaffingPlanOutput):
    day = serializers.SerializerMethodField(help_text="The day asked for with ?date= (else the first day).")

    class Meta(StaffingPlanOutput.Meta):
        fields = StaffingPlanOutput.Meta.fields + ["day"]

    def get_day(self, plan: StaffingPlan) -> dict | None:
        day = self.context.get("plan_day")
        return StaffingPlanDayOutput(day).data if day is not None else None


class RosterAssignmentOutput(serializers.ModelSerializer):
    agent = WorkforceUserRef()
    shift = serializers.CharField(source="template.code", allow_null=True, default=None)
    start = serializers.TimeField(source="template.start", allow_null=True, default=None)
    duration_minutes = serializers.IntegerField(source="template.duration_minutes", allow_null=True, default=None)
    covers_for = WorkforceUserRef(allow_null=True)

    class Meta:
        model = RosterAssignment
        fields = ["id", "roster", "agent", "date", "shift", "start", "duration_minutes", "fixed", "covers_for",
                  "leave"]


class RosterOutput(serializers.ModelSerializer):
    status = serializers.CharField(help_text="draft or published")
    solver_status = serializers.CharField()

    class Meta:
        model = Roster
        fields = ["id", "plan", "status", "solver_status", "objective", "best_bound", "gap", "wall_seconds",
                  "unfilled_shifts", "report", "created_at", "published_at"]


class RosterInput(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=StaffingPlan.objects.all())
    roster = serializers.PrimaryKeyRelatedField(queryset=Roster.objects.all(), required=False,
                                                help_text="Solve this roster again instead of making a new one.")
    time_limit_seconds = serializers.FloatField(required=False, min_value=1, max_value=3600)


class RosterAssignmentFixInput(serializers.Serializer):
    agent = serializers.IntegerField()
    date = serializers.DateField()
    shift = serializers.CharField(required=False, allow_null=True,
                                  help_text="A shift template code; null fixes a day off.")
    release = serializers.BooleanField(required=False, default=False,
                                       help_text="Give the day back to the solver instead.")


class RosterAssignmentFixOutput(serializers.Serializer):
    assignment = RosterAssignmentOutput(allow_null=True)
    breaches = serializers.ListField(child=serializers.CharField())


class LeaveRequestOutput(serializers.ModelSerializer):
    agent = WorkforceUserRef()
    substitute = WorkforceUserRef()
    decided_by = WorkforceUserRef(allow_null=True)
    kind = serializers.CharField(help_text="annual, personal, sick, compensatory or other")
    status = serializers.CharField(help_text="pending, approved, rejected or cancelled")

    class Meta:
        model = LeaveRequest
        fields = ["id", "agent", "kind", "start_date", "end_date", "reason", "substitute", "status", "decided_by",
                  "decided_at", "decision_note", "created_at"]


class LeaveRequestInput(serializers.Serializer):
    kind = serializers.CharField(required=False, default=LeaveRequest.Kind.PERSONAL,
                                 help_text="annual, personal, sick, compensatory or other")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    substitute = serializers.IntegerField(help_text="The colleague (user id) who takes the shifts (代班).")
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class LeaveRequestDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class WorkforceEventOutput(serializers.ModelSerializer):
    actor = WorkforceUserRef(allow_null=True)
    subject = WorkforceUserRef(allow_null=True)

    class Meta:
        model = WorkforceEvent
        fields = ["at", "actor", "action", "subject", "data"]


class SurgeOutput(serializers.ModelSerializer):
    started_by = WorkforceUserRef()
    ended_by = WorkforceUserRef(allow_null=True)
    members = WorkforceUserRef(many=True)
    teams = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    is_active = serializers.BooleanField()

    class Meta:
        model = Surge
        fields = ["id", "reason", "started_by", "started_at", "ended_by", "ended_at", "teams", "members",
                  "is_active"]


class SurgeInput(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    teams = serializers.ListField(child=serializers.SlugField(), required=False, default=list,
                                  help_text="Team codes; empty: every team.")
