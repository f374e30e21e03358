from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import tunables
from .models import Setting


class SettingForm(forms.ModelForm):
    key = forms.ChoiceField(label=_("key"), choices=lambda: [
        (t.key, f"{t.key} — {t.label} ({_('default')}: {t.default})") for t in tunables.REGISTRY.values()])

    class Meta:
        model = Setting
        fields = ["key", "value"]

    def clean(self):
        data = super().clean()
        if data.get("key") in tunables.REGISTRY and "value" in data:
            try:
                data["value"] = tunables.REGISTRY[data["key"]].clean(data["value"])
            except forms.ValidationError as error:
                self.add_error("value", error)
        return data


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    form = SettingForm
    list_display = ["key", "value", "updated_at"]
