from django import forms
from django.utils.translation import gettext_lazy as _

from .arithmetic import Unit
from .services import IMPORT_FORMAT_HELP


class ScheduleImportForm(forms.Form):
    file = forms.FileField(label=_("Schedule file (CSV or JSON)"), help_text=IMPORT_FORMAT_HELP)
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)


class OfficialDayForm(forms.Form):
    KINDS = (("holiday", _("Holiday (day off)")), ("working", _("Working day (adjusted, 调休)")),
             ("ordinary", _("Ordinary day (remove the exception)")))

    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=KINDS)
    name = forms.CharField(label=_("holiday"), max_length=100, required=False)


UNIT_LABELS = {
    Unit.MINUTES: _("minutes (7×24)"), Unit.HOURS: _("hours (7×24)"), Unit.DAYS: _("days (7×24)"),
    Unit.MONTHS: _("months (7×24)"), Unit.WORKING_MINUTES: _("working minutes"),
    Unit.WORKING_HOURS: _("working hours"), Unit.WORKING_DAYS: _("working days"),
}


class DeadlineForm(forms.Form):
    """The calculator on the calendar page; the start is read in the calendar's time zone."""

    start = forms.DateTimeField(label=_("start"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S",
                                                                  "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                                widget=forms.DateTimeInput(attrs={"type": "datetime-local", "step": 1}))
    amount = forms.DecimalField(label=_("duration"), max_digits=12, decimal_places=4)
    unit = forms.ChoiceField(label=_("unit"), choices=[(u.value, label) for u, label in UNIT_LABELS.items()],
                             initial=Unit.WORKING_HOURS.value)
    calendar = forms.ChoiceField(label=_("calendar"), required=False)

    def __init__(self, *args, calendars=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].choices = [("", _("automatic"))] + [(c.name, c.name) for c in calendars]
