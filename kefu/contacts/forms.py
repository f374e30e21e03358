from django import forms
from django.utils.translation import gettext_lazy as _

from .cdr import FORMATS
from .models import AgentStatus, Contact, ForbiddenPhrase, Queue, StandardPhrase

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class ContactFilterForm(forms.Form):
    number = forms.CharField(label=_("phone number"), required=False)
    channel = forms.ChoiceField(label=_("channel"), required=False, choices=[("", "—"), *Contact.Channel.choices])
    state = forms.ChoiceField(label=_("state"), required=False, choices=[("", "—"), *Contact.State.choices])
    queue = forms.ModelChoiceField(label=_("queue"), required=False, queryset=Queue.objects.all(),
                                   to_field_name="code")
    agent = forms.CharField(label=_("agent (user name)"), required=False)
    date_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    incomplete = forms.BooleanField(label=_("offer event missing"), required=False)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: getattr(value, "code", value) for name, value in self.cleaned_data.items()
                if value not in (None, "", False)}


class SummaryForm(forms.Form):
    """R3.1 [002]: the 5W1H summary and the outcome."""

    summary_when = forms.CharField(label=_("when"), max_length=200, required=False)
    summary_who = forms.CharField(label=_("who"), max_length=200, required=False)
    summary_where = forms.CharField(label=_("where"), max_length=200, required=False)
    summary_what = forms.CharField(label=_("what"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary_why = forms.CharField(label=_("why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary_how = forms.CharField(label=_("how"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("outcome"), choices=Contact.Outcome.choices, required=False)


class ContactCreateForm(SummaryForm):
    channel = forms.ChoiceField(label=_("channel"), choices=Contact.Channel.choices)
    offered_at = forms.DateTimeField(label=_("received at"), required=False, widget=_DATETIME,
                                     help_text=_("Empty: now. For a fax, the time it was received (R3.5)."))
    caller_number = forms.CharField(label=_("caller number"), max_length=40, required=False)
    called_number = forms.CharField(label=_("called number"), max_length=40, required=False)
    answered_at = forms.DateTimeField(label=_("answered at"), required=False, widget=_DATETIME)
    ended_at = forms.DateTimeField(label=_("ended at"), required=False, widget=_DATETIME)
    recording_url = forms.CharField(label=_("recording link"), max_length=500, required=False)

    field_order = ["channel", "offered_at", "caller_number", "called_number", "answered_at", "ended_at",
                   "recording_url"]


class LinkTicketForm(forms.Form):
    ticket = forms.CharField(label=_("ticket number"), max_length=40)


class FiguresForm(forms.Form):
    date = forms.DateField(label=_("day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("to (inclusive)"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.ChoiceField(label=_("per"), required=False, choices=[
        ("queue,interval", _("queue and interval")), ("interval", _("interval")), ("queue", _("queue")),
        ("agent", _("agent"))])
    interval = forms.TypedChoiceField(label=_("interval"), required=False, coerce=int, empty_value=None,
                                      choices=[("", "—"), (15, _("15 minutes")), (30, _("30 minutes")),
                                               (60, _("1 hour")), (1440, _("1 day"))])
    queue = forms.ModelChoiceField(label=_("queue"), required=False, queryset=Queue.objects.all(),
                                   to_field_name="code")
    target_seconds = forms.IntegerField(label=_("service level: answered within (s)"), required=False, min_value=1,
                                        max_value=3600)
    short_abandon_seconds = forms.IntegerField(label=_("short abandon within (s)"), required=False, min_value=0,
                                               max_value=600)


class StandardPhraseForm(forms.ModelForm):
    class Meta:
        model = StandardPhrase
        fields = ["step", "text", "order", "is_active", "source"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class ForbiddenPhraseForm(forms.ModelForm):
    class Meta:
        model = ForbiddenPhrase
        fields = ["text", "is_active", "source"]

    def validate_unique(self) -> None:
        pass  # the service reports a duplicate


class AgentStateForm(forms.Form):
    state = forms.ChoiceField(label=_("state"), choices=AgentStatus.State.choices)
    reason = forms.CharField(label=_("reason"), max_length=100, required=False)


class CdrImportForm(forms.Form):
    file = forms.FileField(label=_("file"))
    format = forms.ChoiceField(label=_("format"), choices=[(f, f) for f in FORMATS])
    dry_run = forms.BooleanField(label=_("check only (dry run)"), required=False)
    timezone = forms.CharField(label=_("time zone of the file"), required=False, max_length=64,
                               help_text=_("Empty: Kefu's time zone (Asia/Shanghai)."))


class WorkbenchRecordForm(forms.Form):
    """R3.1, R3.2: the workbench's one-step form — the 5W1H summary, what to do with the call, and its ticket."""

    contact = forms.IntegerField(required=False, widget=forms.HiddenInput)
    q = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    started_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    summary_when = forms.CharField(label=_("when"), max_length=200, required=False)
    summary_who = forms.CharField(label=_("who"), max_length=200, required=False)
    summary_where = forms.CharField(label=_("where"), max_length=200, required=False)
    summary_what = forms.CharField(label=_("what"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary_why = forms.CharField(label=_("why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    summary_how = forms.CharField(label=_("how"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    action = forms.ChoiceField(label=_("what to do"), widget=forms.RadioSelect, initial="consultation",
                               choices=())
    outcome = forms.ChoiceField(label=_("outcome"), required=False, initial=Contact.Outcome.RESOLVED,
                                choices=[(value, label) for value, label in Contact.Outcome.choices
                                         if value not in ("", Contact.Outcome.TICKET)])
    title = forms.CharField(label=_("ticket title"), max_length=200, required=False,
                            help_text=_("Empty: the first line of “what”."))
    resolution = forms.CharField(label=_("how it was answered"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("For a consultation closed at once; empty: “how”."))
    kind = forms.ModelChoiceField(label=_("ticket kind"), required=False, queryset=None, to_field_name="code")
    category = forms.ModelChoiceField(label=_("service category"), required=False, queryset=None,
                                      to_field_name="code")
    ticket = forms.CharField(label=_("ticket number"), max_length=40, required=False)
    note = forms.CharField(label=_("note for the ticket"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Empty: the summary."))

    def __init__(self, *args, **kwargs):
        from kefu.tickets.models import ServiceCategory, TicketKind

        from .workbench import Action

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = Action.choices
        self.fields["kind"].queryset = TicketKind.objects.filter(is_active=True).order_by("name")
        self.fields["category"].queryset = ServiceCategory.objects.filter(is_active=True).order_by("name")

    def summary_fields(self) -> list:
        return [self[name] for name in Contact.SUMMARY_FIELDS]
