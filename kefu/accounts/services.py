"""Writes for organisation and people (SPEC §1)."""

from collections.abc import Iterable

from django.db import transaction

from kefu.core.permissions import DEFAULT_ROLES, PERMISSIONS

from .models import Branch, Role, Team, User


def roles_seed_defaults() -> int:
    """Create the roles of R1.1 that do not exist yet, and offer existing roles the default codes that are new
    since they were last seeded; a code an administrator removed is never granted again."""
    from django.utils import translation

    created = 0
    with translation.override("zh-hans"):
        created = _seed_roles()
    return created


def _seed_roles() -> int:
    created = 0
    for definition in DEFAULT_ROLES:
        defaults = sorted(definition.permissions)
        role, was_created = Role.objects.get_or_create(
            code=definition.code,
            defaults={"name": str(definition.name), "permissions": defaults, "read_only": definition.read_only,
                      "defaults_applied": defaults},
        )
        created += was_created
        if not was_created:
            new_codes = set(defaults) - set(role.defaults_applied or ())
            if new_codes:
                role.permissions = sorted(set(role.permissions or ()) | new_codes)
                role.defaults_applied = sorted(set(role.defaults_applied or ()) | set(defaults))
                role.save(update_fields=["permissions", "defaults_applied"])
    return created


def role_unknown_permissions(role: Role) -> list[str]:
    return sorted(set(role.permissions or ()) - set(PERMISSIONS))


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    full_name: str = "",
    work_number: str | None = None,
    roles: Iterable[str] = (),
    teams: Iterable[Team] = (),
    branch: Branch | None = None,
    email: str = "",
    extension: str = "",
) -> User:
    """Create a user with his roles (by code); the password passes the configured policy."""
    from django.contrib.auth.password_validation import validate_password

    user = User(username=username, full_name=full_name, work_number=work_number or None, branch=branch,
                email=email, extension=extension)
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    role_objects = list(Role.objects.filter(code__in=list(roles)))
    missing = set(roles) - {r.code for r in role_objects}
    if missing:
        raise Role.DoesNotExist(f"Unknown roles: {', '.join(sorted(missing))}")
    user.roles.set(role_objects)
    user.teams.set(list(teams))
    return user
