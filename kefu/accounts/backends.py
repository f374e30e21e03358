"""Django's own permission checks (the admin site) answered from Kefu roles."""

from django.contrib.auth.backends import ModelBackend

from kefu.core import permissions


class RoleBackend(ModelBackend):
    def has_perm(self, user_obj, perm, obj=None) -> bool:
        if not user_obj.is_active:
            return False
        if permissions.has_permission(user_obj, "core.admin:access"):
            # The administrator edits configuration data; read-only roles never get here (no admin access).
            return not permissions.user_is_read_only(user_obj)
        return super().has_perm(user_obj, perm, obj)

    def has_module_perms(self, user_obj, app_label) -> bool:
        if user_obj.is_active and permissions.has_permission(user_obj, "core.admin:access"):
            return True
        return super().has_module_perms(user_obj, app_label)
