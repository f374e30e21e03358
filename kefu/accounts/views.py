from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views import View

from .models import Role, Team


class LoginView(auth_views.LoginView):
    public = True
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    public = True


class PasswordChangeView(auth_views.PasswordChangeView):
    permission = "accounts.profile:edit"
    write_permission = "accounts.profile:edit"
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")


class DirectoryView(View):
    """Teams (R1.2) with their members and work numbers, and the roles with what each may do (R1.1)."""

    permission = "accounts.directory:view"

    def get(self, request):
        teams = Team.objects.select_related("branch").prefetch_related("members").order_by("kind", "code")
        roles = Role.objects.all()
        return render(request, "accounts/directory.html", {"teams": teams, "roles": roles})
