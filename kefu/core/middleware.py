"""Deny by default: every non-API view must declare its permission (R1.3)."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from . import permissions


def view_declaration(view_func):
    """The object carrying a view's declaration: the class of a class-based view, else the function."""
    return getattr(view_func, "view_class", None) or getattr(view_func, "cls", None) or view_func


class PermissionRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.app_name == "admin":
            return None  # the admin site checks its own access (kefu.core.admin_site)
        if getattr(view_func, "cls", None) is not None:
            return None  # a DRF view: it authenticates tokens itself and KefuPermission applies the same rule
        view = view_declaration(view_func)
        decision = permissions.check(request.user, view, request.method)
        if decision == "ok":
            return None
        if decision == "undeclared":
            raise ImproperlyConfigured(f"View {match.view_name} declares no permission")
        if decision == "login":
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied
