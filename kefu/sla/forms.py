from django import forms
from django.utils.translation import gettext_lazy as _


class ExtendForm(forms.Form):
    new_deadline = forms.DateTimeField(label=_("new deadline"),
                                       widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    consent_by = forms.CharField(label=_("customer who agreed"), max_length=100)
    consent_at = forms.DateTimeField(label=_("agreed at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("reason"))
