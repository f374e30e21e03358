"""The admin site is for configuration data and only for holders of core.admin:access."""

from functools import update_wrapper

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from . import permissions


class KefuAdminSite(admin.AdminSite):
    site_header = _("Kefu administration")
    site_title = _("Kefu administration")
    index_title = _("Configuration")

    def has_permission(self, request) -> bool:
        return request.user.is_active and permissions.has_permission(request.user, "core.admin:access")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        def guard(request, *args, **kwargs):
            # A signed-in user without the right gets 403, not a second login form.
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            if (request.method not in permissions.SAFE_METHODS and request.user.is_authenticated
                    and permissions.user_is_read_only(request.user)):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(guard, inner)
