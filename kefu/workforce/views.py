"""The staffing page (R9.2–R9.4): one interval's staffing by Erlang C or Erlang A, seats, headcount and the
seat-opening rule, with the definitions and where each default comes from. Thin: it calls `selectors`,
like `kefu staffing` and /api/v1/workforce/."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View

from kefu.core import permissions
from kefu.core.errors import FieldError

from . import defaults, selectors
from .forms import HeadcountForm, SeatsForm, SeatTriggerForm, StaffingForm


def _message(error: FieldError) -> str:
    return error.message_zh if (get_language() or "").startswith("zh") else error.message_en


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def staffing_rows(result: dict[str, Any], answer_within: Any) -> list[tuple[str, str]]:
    """The figures of one staffing result as (label, text) rows for the page."""
    models = {"erlang_c": _("Erlang C (callers wait until answered)"),
              "erlang_a": _("Erlang A (callers may hang up)")}
    asa = result["asa_seconds"]
    rows = [
        (_("Model"), str(models[result["model"]])),
        (_("Traffic"), _("%(value)s Erlangs") % {"value": f"{result['traffic_erlangs']:.3f}"}),
        (_("Agents on the phones"), str(result["agents"])),
        (_("Agents to schedule (with shrinkage)"), str(result["scheduled_agents"])),
        (_("Service level (answered within %(seconds)s s)") % {"seconds": answer_within},
         _percent(result["service_level"])),
        (_("Average speed of answer"), _("unstable queue: no finite wait") if asa is None else f"{asa:.1f} s"),
        (_("Occupancy"), _percent(result["occupancy"])),
        (_("Probability of waiting"), _percent(result["p_wait"])),
    ]
    if "p_abandon" in result:
        rows.append((_("Probability of abandoning"), _percent(result["p_abandon"])))
        rows.append((_("Answer rate"), _percent(1 - result["p_abandon"])))
    return rows


def _run(form: forms.Form, compute) -> Any:
    """Validate the form, compute, and attach a rule's error to its field; None when the input is not valid."""
    if not form.is_valid():
        return None
    try:
        return compute()
    except FieldError as error:
        form.add_error(error.field if error.field in form.fields else None, _message(error))
        return None


class StaffingView(View):
    permission = "workforce.staffing:view"

    def get(self, request: HttpRequest) -> HttpResponse:
        which = request.GET.get("calculate")
        data = request.GET if which else None
        value = selectors.default
        staffing_form = StaffingForm(data if which == "staffing" else None, initial={
            "interval_seconds": 1800, "answer_within_seconds": value(defaults.ANSWER_WITHIN_SECONDS.key),
            "service_level": value(defaults.SERVICE_LEVEL_TARGET.key), "shrinkage": value(defaults.SHRINKAGE.key),
            "max_occupancy": value(defaults.MAX_OCCUPANCY.key)})
        seats_form = SeatsForm(data if which == "seats" else None, prefix="seats",
                               initial={"subscribers_per_seat": value(defaults.SUBSCRIBERS_PER_SEAT.key)})
        headcount_form = HeadcountForm(data if which == "headcount" else None, prefix="headcount", initial={
            "seat_hours_per_day": 14, "days_per_month": value(defaults.DAYS_PER_MONTH.key),
            "legal_hours_per_month": value(defaults.LEGAL_HOURS_PER_MONTH.key)})
        trigger_form = SeatTriggerForm(data if which == "trigger" else None, prefix="trigger")
        context: dict[str, Any] = {
            "staffing_form": staffing_form, "seats_form": seats_form, "headcount_form": headcount_form,
            "trigger_form": trigger_form, "defaults": selectors.workforce_defaults(),
            "drop_points": value(defaults.SEAT_TRIGGER_DROP_POINTS.key),
            "weeks": value(defaults.SEAT_TRIGGER_WEEKS.key),
            "can_change_defaults": permissions.has_permission(request.user, "core.admin:access"),
        }
        if which == "staffing":
            result = _run(staffing_form, lambda: selectors.staffing_calculate(**staffing_form.inputs()))
            if result is not None:
                within = staffing_form.cleaned_data["answer_within_seconds"]
                context["staffing_rows"] = staffing_rows(result.as_dict(), f"{within.normalize():f}")
        elif which == "seats":
            context["seats"] = _run(seats_form, lambda: selectors.seats_calculate(**seats_form.cleaned_data))
        elif which == "headcount":
            context["headcount"] = _run(headcount_form,
                                        lambda: selectors.headcount_calculate(**headcount_form.cleaned_data))
        elif which == "trigger":
            context["trigger"] = _run(trigger_form, lambda: selectors.seat_trigger_evaluate(**trigger_form.inputs()))
        invalid = which and any(form.is_bound and form.errors for form in (staffing_form, seats_form,
                                                                          headcount_form, trigger_form))
        return render(request, "workforce/staffing.html", context, status=400 if invalid else 200)
