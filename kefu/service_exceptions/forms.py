from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import Team, User

from .models import ExceptionCategory, ExceptionLevel, ServiceException

_DT = {"widget": forms.DateTimeInput(attrs={"type": "datetime-local"})}


class ReportForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("what happened"), widget=forms.Textarea(attrs={"rows": 4}))
    customer_name = forms.CharField(label=_("customer contact"), max_length=100, required=False)
    customer_phone = forms.CharField(label=_("customer phone"), max_length=40, required=False)
    occurred_at = forms.DateTimeField(label=_("when it happened"), required=False, **_DT)


class PublicReportForm(ReportForm):
    reporter_name = forms.CharField(label=_("your name"), max_length=100, required=False)
    reporter_contact = forms.CharField(label=_("your phone or e-mail"), max_length=100, required=False)


class AssessForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    category = forms.ModelChoiceField(label=_("category"), queryset=ExceptionCategory.objects.filter(is_active=True))
    level = forms.ModelChoiceField(label=_("level"), queryset=ExceptionLevel.objects.all())
    impact = forms.CharField(label=_("impact"), widget=forms.Textarea(attrs={"rows": 2}))
    cause = forms.CharField(label=_("cause"), max_length=100, required=False)


class PlanForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    content = forms.CharField(label=_("plan"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("owner"), required=False, queryset=User.objects.filter(
        is_active=True, roles__isnull=False).distinct().order_by("username"))
    owner_department = forms.ModelChoiceField(label=_("business department"), required=False,
                                              queryset=Team.objects.filter(is_active=True))
    departments = forms.ModelMultipleChoiceField(label=_("departments involved"), required=False,
                                                 queryset=Team.objects.filter(is_active=True))
    deadline = forms.DateTimeField(label=_("deadline"), required=False, **_DT)


class DecideForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(label=_("decision"), coerce=lambda v: v == "yes",
                                     choices=[("yes", _("Approve")), ("no", _("Refuse"))])
    note = forms.CharField(label=_("note"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("progress"), widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.CharField(label=_("result"), widget=forms.Textarea(attrs={"rows": 2}))


class InformForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("told"), choices=[("progress", _("the progress")), ("result", _("the result"))])
    message = forms.CharField(label=_("what the customer was told"), widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    satisfied = forms.TypedChoiceField(label=_("customer's rating"), coerce=lambda v: v == "yes",
                                       choices=[("yes", _("Satisfied")), ("no", _("Not satisfied"))])
    note = forms.CharField(label=_("customer's words"), required=False)


class ArchiveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("note"), required=False)


class LinkForm(forms.Form):
    source = forms.ChoiceField(label=_("channel"), choices=[
        (ServiceException.Source.SUPERVISION_HOTLINE, ServiceException.Source.SUPERVISION_HOTLINE.label),
        (ServiceException.Source.SUPERVISION_MAILBOX, ServiceException.Source.SUPERVISION_MAILBOX.label)])


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
