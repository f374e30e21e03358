from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User

from .models import Priority, ServiceCategory, Ticket, TicketEntry, TicketKind, WorkflowState


class TicketForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("kind"), queryset=TicketKind.objects.filter(is_active=True),
                                  to_field_name="code")
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    category = forms.ModelChoiceField(label=_("service category"), required=False, to_field_name="code",
                                      queryset=ServiceCategory.objects.filter(is_active=True))
    priority = forms.ModelChoiceField(label=_("priority"), queryset=Priority.objects.all(), to_field_name="code",
                                      required=False)
    channel = forms.ChoiceField(label=_("channel"), choices=Ticket.Channel.choices)
    received_at = forms.DateTimeField(label=_("received at (fax)"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    occurred_at = forms.DateTimeField(label=_("when it happened"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("where"), max_length=255, required=False)
    reporter_name = forms.CharField(label=_("person concerned"), max_length=100, required=False)
    reporter_phone = forms.CharField(label=_("phone"), max_length=40, required=False)
    close_at_once = forms.BooleanField(label=_("solved during the call: close at once"), required=False)
    resolution = forms.CharField(label=_("how it was solved"), widget=forms.Textarea(attrs={"rows": 2}),
                                 required=False)


class TicketFilterForm(forms.Form):
    q = forms.CharField(label=_("number or title"), required=False)
    state = forms.ChoiceField(label=_("state"), required=False)
    kind = forms.ModelChoiceField(label=_("kind"), queryset=TicketKind.objects.all(), to_field_name="code",
                                  required=False)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.all(), to_field_name="code",
                                  required=False)
    priority = forms.ModelChoiceField(label=_("priority"), queryset=Priority.objects.all(), to_field_name="code",
                                      required=False)
    created_from = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    overdue = forms.BooleanField(label=_("overdue only"), required=False)
    near_deadline = forms.BooleanField(label=_("near the deadline"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = dict(WorkflowState.objects.values_list("code", "name").distinct())
        self.fields["state"].choices = [("", "—")] + sorted(codes.items(), key=lambda item: item[0])

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = {}
        for name, value in self.cleaned_data.items():
            if value in (None, "", False):
                continue
            data[name] = getattr(value, "code", value)
        return data


class TransitionForm(forms.Form):
    transition = forms.SlugField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), required=False)


class DispatchForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.filter(is_active=True),
                                  to_field_name="code")
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=User.objects.filter(is_active=True),
                                      to_field_name="username", required=False)
    phoned = forms.BooleanField(label=_("I also phoned him"), required=False)
    phoned_person = forms.CharField(label=_("person phoned"), max_length=100, required=False)
    note = forms.CharField(label=_("note"), required=False)


class EntryForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TicketEntry.Kind.choices)
    body = forms.CharField(label=_("text"), widget=forms.Textarea(attrs={"rows": 3}))


class WorkOrderForm(forms.Form):
    """R4.3: each item is read back to the customer: tick it as confirmed, or type the corrected value."""

    team = forms.ModelChoiceField(label=_("field team"), queryset=Team.objects.filter(kind=Team.Kind.FIELD,
                                                                                      is_active=True),
                                  to_field_name="code")

    def __init__(self, *args, current: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from .work_orders import ITEM_LABELS

        self.current = current or {}
        for item, label in ITEM_LABELS.items():
            self.fields[f"{item}_value"] = forms.CharField(label=label, required=False,
                                                           initial=self.current.get(item, ""))
            self.fields[f"{item}_confirmed"] = forms.BooleanField(label=_("confirmed with the customer"),
                                                                  required=False)
            self.fields[f"{item}_corrected"] = forms.CharField(label=_("corrected value"), required=False)

    def verification(self) -> dict:
        from .work_orders import ITEM_LABELS

        data = self.cleaned_data
        return {item: {"confirmed": data.get(f"{item}_confirmed"), "value": data.get(f"{item}_value", ""),
                       "corrected": data.get(f"{item}_corrected", "")} for item in ITEM_LABELS}


class AssignEngineerForm(forms.Form):
    engineer = forms.ModelChoiceField(label=_("engineer"), queryset=User.objects.filter(is_active=True),
                                      to_field_name="username")


class FinishWorkOrderForm(forms.Form):
    work_done = forms.CharField(label=_("work done"), widget=forms.Textarea(attrs={"rows": 3}))
    parts_used = forms.CharField(label=_("parts used"), required=False)
    result = forms.ChoiceField(label=_("result"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import WorkOrder

        self.fields["result"].choices = WorkOrder.Result.choices


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("file"))


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=50)
    query = forms.CharField(widget=forms.HiddenInput, required=False)


class BulkAssignForm(forms.Form):
    tickets = forms.CharField(widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(label=_("assignee"), queryset=User.objects.filter(is_active=True),
                                      to_field_name="username")
