"""Forms of the staffing page (R9.2–R9.4). They only parse; the rules are in `selectors`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
