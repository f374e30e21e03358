"""Reads about people: who holds a permission, optionally within teams of one kind."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Role, User


def users_holding(code: str, *, team_kind: str | None = None) -> QuerySet[User]:
    """Active users holding permission `code` through a role (R1.3); with `team_kind`, only members of active
    teams of that kind — unless nobody there holds it, then all holders, so a notice is never addressed to no one
    merely because the teams are not set up."""
    role_ids = [pk for pk, codes in Role.objects.values_list("pk", "permissions") if code in (codes or ())]
    holders = User.objects.filter(is_active=True, roles__in=role_ids).distinct()
    if team_kind is not None:
        in_teams = holders.filter(teams__kind=team_kind, teams__is_active=True).distinct()
        if in_teams.exists():
            return in_teams
    return holders

