from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from kefu.core.permissions import PERMISSIONS

from .models import Branch, Role, Team, User


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("permissions"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=lambda: [(code, f"{code} — {label}") for code, label in PERMISSIONS.items()],
    )

    class Meta:
        model = Role
        fields = ["code", "name", "description", "permissions", "read_only"]


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    form = RoleForm
    list_display = ["code", "name", "read_only"]


@admin.register(Branch)
class BranchAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "city", "is_active"]
    search_fields = ["code", "name"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "branch", "service_category", "is_active"]
    list_filter = ["kind", "branch"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    list_display = ["username", "full_name", "work_number", "is_active"]
    list_filter = ["roles", "teams", "branch", "is_active"]
    search_fields = ["username", "full_name", "work_number"]
    fieldsets = DjangoUserAdmin.fieldsets[:1] + (
        (_("Kefu"), {"fields": ("full_name", "work_number", "phone", "extension", "branch", "roles", "teams")}),
        (_("Status"), {"fields": ("is_active", "last_login", "date_joined")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Kefu"), {"fields": ("full_name", "work_number", "branch", "roles", "teams")}),
    )
    filter_horizontal = ["roles", "teams"]
