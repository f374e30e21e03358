"""Forms of the workforce pages: the staffing calculators (R9.2–R9.4), forecasts, plans, rosters, leave and surges
(R9.1, R9.5, R9.6). They only parse; the rules are in `selectors` and `services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LeaveRequest


def _number(label, help_text="", required=True, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(label=label, help_text=help_text, required=required,
                              widget=forms.NumberInput(attrs={"step": "any"}), **kwargs)


class StaffingForm(forms.Form):
    MODES = (("target", _("Fewest agents meeting the targets")), ("evaluate", _("Figures of a given staffing")))

    mode = forms.ChoiceField(label=_("Compute"), choices=MODES, initial="target")
    calls = _number(_("Calls in the interval"), _("May be fractional, e.g. a forecast."))
    interval_seconds = _number(_("Interval length (seconds)"), _("900 for 15 minutes, 1800 for 30 minutes."))
    aht_seconds = _number(_("Average handling time (seconds)"))
    answer_within_seconds = _number(_("Answered within (seconds)"), _("T of the service level."))
    service_level = _number(_("Service-level target (share)"), _("e.g. 0.8 for 80%; leave empty for none."),
                            required=False)
    answer_rate = _number(_("Answer-rate target (share)"), _("e.g. 0.9; needs a patience to mean anything."),
                          required=False)
    agents = forms.IntegerField(label=_("Agents on the phones"), required=False, min_value=0,
                                help_text=_("Only for “figures of a given staffing”."))
    patience_seconds = _number(_("Average patience (seconds)"),
                               _("Give it to use Erlang A (callers who hang up); empty: Erlang C."), required=False)
    shrinkage = _number(_("Shrinkage (share)"), _("Share of paid time off the phones, from 0 to below 1."))
    max_occupancy = _number(_("Maximum occupancy (share)"), _("Above 0, at most 1 (1 = no cap)."))

    def inputs(self) -> dict:
        data = dict(self.cleaned_data)
        if data.pop("mode") == "evaluate":
            data["service_level"] = data["answer_rate"] = None
            if data["agents"] is None:
                data["agents"] = ""  # reported by the selector as "must be a number"
        else:
            data["agents"] = None
        return data


class SeatsForm(forms.Form):
    subscribers = _number(_("Subscribers"))
    subscribers_per_seat = _number(_("Subscribers per seat"))


class HeadcountForm(forms.Form):
    seat_hours_per_day = _number(_("Seat hours per day"), _("e.g. 14 for 07:30–21:30."))
    days_per_month = _number(_("Days served per month"))
    legal_hours_per_month = _number(_("Legal working hours per month"))
    seats = forms.IntegerField(label=_("Seats"), min_value=0, initial=1)


class SeatTriggerForm(forms.Form):
    weekly_answer_rates = forms.CharField(label=_("Weekly answer rates, oldest first"),
                                          help_text=_("Shares separated by commas, e.g. 0.93, 0.92, 0.86, 0.85, 0.86."))
    baseline = _number(_("Baseline answer rate (share)"), _("Empty: the week before the latest weeks."),
                       required=False)

    def inputs(self) -> dict:
        text = self.cleaned_data["weekly_answer_rates"].replace("，", ",").replace(";", ",")
        rates = [part.strip() for part in text.replace(" ", ",").split(",") if part.strip()]
        return {"weekly_answer_rates": rates, "baseline": self.cleaned_data.get("baseline")}


# --- Forecast, plans, rosters, leave and surge (R9.1, R9.5, R9.6) ---------------------------------------------

class PeriodForm(forms.Form):
    """A queue and a period: a calendar month, or a first day and a number of days."""

    queue = forms.ModelChoiceField(label=_("Queue"), queryset=None)
    month = forms.CharField(label=_("Month"), required=False, help_text=_("e.g. 2026-03"),
                            widget=forms.TextInput(attrs={"type": "month"}))
    start_date = forms.DateField(label=_("or from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("days"), required=False, min_value=1, max_value=62)

    def __init__(self, *args, **kwargs) -> None:
        from .selectors import planning_queues

        super().__init__(*args, **kwargs)
        self.fields["queue"].queryset = planning_queues()

    def clean(self) -> dict:
        from kefu.core.errors import FieldError

        from .services import month_bounds

        data = super().clean()
        if data.get("month"):
            try:
                data["start_date"], data["days"] = month_bounds(data["month"])
            except FieldError as error:
                self.add_error("month", error.message_zh)
        elif not (data.get("start_date") and data.get("days")):
            raise forms.ValidationError(_("Give a month, or a first day and a number of days."))
        return data


class ForecastRunForm(PeriodForm):
    pass


class PlanRunForm(PeriodForm):
    time_limit_seconds = forms.FloatField(label=_("Time limit (seconds)"), required=False, min_value=1,
                                          max_value=3600)
    max_shifts_per_day = forms.IntegerField(label=_("At most shifts a day"), required=False, min_value=1,
                                            help_text=_("The headcount available; empty: no limit."))


class VolumeImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("Columns: queue, interval_start, interval_minutes, "
                                                           "offered (UTF-8 or GB18030)."))


class VolumesFromContactsForm(forms.Form):
    """R9.1: count the recorded calls of a period into the volume history."""

    first_day = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day must not come before the first day."))
        return data


class RosterRunForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Staffing plan"), queryset=None)
    time_limit_seconds = forms.FloatField(label=_("Time limit (seconds)"), required=False, min_value=1,
                                          max_value=3600)

    def __init__(self, *args, **kwargs) -> None:
        from .models import StaffingPlan

        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = StaffingPlan.objects.select_related("queue").order_by("-created_at")


class AssignmentFixForm(forms.Form):
    """A supervisor's hand edit of one cell of the roster."""

    ACTIONS = (("fix", _("Fix this shift")), ("off", _("Fix a day off")), ("release", _("Give back to the solver")))

    agent = forms.ModelChoiceField(label=_("Agent"), queryset=None)
    date = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    action = forms.ChoiceField(label=_("Change"), choices=ACTIONS, initial="fix")
    template = forms.ModelChoiceField(label=_("Shift"), queryset=None, required=False)

    def __init__(self, *args, roster=None, **kwargs) -> None:
        from kefu.accounts.models import User

        from .models import ShiftTemplate

        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = User.objects.filter(is_active=True).order_by("username")
        codes = roster.plan.templates if roster is not None else []
        self.fields["template"].queryset = ShiftTemplate.objects.filter(code__in=codes)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == "fix" and not data.get("template"):
            self.add_error("template", _("Choose the shift."))
        return data


class LeaveRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of leave"), choices=LeaveRequest.Kind.choices,
                             initial=LeaveRequest.Kind.PERSONAL)
    start_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    substitute = forms.ModelChoiceField(label=_("Substitute (代班)"), queryset=None,
                                        help_text=_("The colleague who takes your shifts."))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500, widget=forms.Textarea(
        attrs={"rows": 2}))

    def __init__(self, *args, user=None, **kwargs) -> None:
        from kefu.accounts.models import User

        super().__init__(*args, **kwargs)
        queryset = User.objects.filter(is_active=True).order_by("username")
        if user is not None:
            queryset = queryset.exclude(pk=user.pk)
        self.fields["substitute"].queryset = queryset


class LeaveDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=(("approve", _("Approve")), ("reject", _("Reject"))))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class SurgeStartForm(forms.Form):
    reason = forms.CharField(label=_("Outage"), max_length=500, help_text=_("What happened, e.g. 全网交易失败."))
    teams = forms.ModelMultipleChoiceField(label=_("Teams"), queryset=None, required=False,
                                           help_text=_("Empty: every team."))

    def __init__(self, *args, **kwargs) -> None:
        from kefu.accounts.models import Team

        super().__init__(*args, **kwargs)
        self.fields["teams"].queryset = Team.objects.filter(is_active=True).order_by("code")
