from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.tickets.models import Ticket

from .models import Investigation

_STAFF = User.objects.filter(is_active=True, roles__isnull=False).distinct().order_by("username")


class ComplaintForm(forms.Form):
    subject = forms.CharField(label=_("what the complaint is about"), max_length=200)
    channel = forms.ChoiceField(label=_("channel"), choices=Ticket.Channel.choices, initial=Ticket.Channel.PHONE)
    complainant_name = forms.CharField(label=_("complainant"), max_length=100, required=False)
    complainant_phone = forms.CharField(label=_("complainant's phone"), max_length=40, required=False)
    details = forms.CharField(label=_("precise record"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    against_staff = forms.ModelChoiceField(label=_("against staff member"), queryset=_STAFF, required=False,
                                           to_field_name="username")
    received_at = forms.DateTimeField(label=_("received at"), required=False,
                                      widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class RecordForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    subject = forms.CharField(label=_("what the complaint is about"), max_length=200, required=False)
    details = forms.CharField(label=_("precise record"), widget=forms.Textarea(attrs={"rows": 4}))
    against_staff = forms.ModelChoiceField(label=_("against staff member"), queryset=_STAFF, required=False,
                                           to_field_name="username")


class ExtendForm(forms.Form):
    new_deadline = forms.DateTimeField(label=_("new deadline"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    consent_by = forms.CharField(label=_("customer who agreed"), max_length=100)
    consent_at = forms.DateTimeField(label=_("agreed at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("reason"))


class ConcludeForm(forms.Form):
    finding = forms.ChoiceField(label=_("finding"), choices=[
        (Investigation.Finding.VERIFIED, Investigation.Finding.VERIFIED.label),
        (Investigation.Finding.NOT_VERIFIED, Investigation.Finding.NOT_VERIFIED.label)])
    evidence = forms.CharField(label=_("evidence"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 2}))
    points = forms.DecimalField(label=_("points deducted if verified"), required=False, min_value=0,
                                max_digits=6, decimal_places=2)


class InformForm(forms.Form):
    message = forms.CharField(label=_("what the customer was told"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(forms.Form):
    resolution = forms.CharField(label=_("how it was solved"), widget=forms.Textarea(attrs={"rows": 2}))
