import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kefu.accounts.models import Role
from kefu.accounts.services import user_create
from kefu.core.permissions import DEFAULT_ROLES, PERMISSIONS


@pytest.mark.django_db
def test_all_roles_of_r1_1_are_seeded_with_known_codes():
    codes = set(Role.objects.values_list("code", flat=True))
    assert codes >= {r.code for r in DEFAULT_ROLES}
    assert len(codes) == 16
    for role in Role.objects.all():
        assert set(role.permissions) <= set(PERMISSIONS), role.code
    assert Role.objects.get(code="internal_auditor").read_only


@pytest.mark.django_db
def test_a_user_may_hold_several_roles(make_user, customer):
    from kefu.core import permissions

    user = make_user("qa_inspector", "complaint_handler")
    assert permissions.has_permission(user, "customers.customer:edit")  # from complaint handler
    assert permissions.has_permission(user, "customers.customer:history")  # from QA


@pytest.mark.django_db
def test_password_policy():
    with pytest.raises(ValidationError):
        user_create(username="weak", password="12345678", roles=["agent"])
    with pytest.raises(ValidationError):
        user_create(username="weak2", password="password123", roles=["agent"])


@pytest.mark.django_db
def test_work_numbers_are_unique(make_user):
    make_user("agent", work_number="1001")
    with pytest.raises(ValidationError):
        make_user("agent", work_number="1001")


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(agent):
    client = Client()
    for _ in range(5):
        response = client.post("/login/", {"username": agent.username, "password": "wrong-password"})
        assert response.status_code in (200, 429)
    response = client.post("/login/", {"username": agent.username, "password": "Correct-horse-2026"})
    assert response.status_code == 429  # locked out even with the right password
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_login_page_and_navigation_per_role(make_user):
    client = Client()
    response = client.post("/login/", {"username": make_user("agent", username="zhang").username,
                                       "password": "Correct-horse-2026"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "/customers/" in page and "/customers/reveal-log/" not in page and "/admin/" not in page
    auditor = Client()
    auditor.force_login(make_user("internal_auditor"))
    page = auditor.get("/").content.decode()
    assert "/customers/reveal-log/" in page and "/customers/imports/" not in page


@pytest.mark.django_db
def test_an_upgrade_adds_new_default_codes_but_never_regrants_removed_ones():
    from kefu.accounts.services import roles_seed_defaults

    agent = Role.objects.get(code="agent")
    # As if installed by an older release that knew no ticket codes, and the admin removed a code since.
    old_defaults = sorted(c for c in agent.permissions if not c.startswith("tickets."))
    agent.defaults_applied = old_defaults
    agent.permissions = [c for c in old_defaults if c != "customers.customer:edit"]
    agent.save()
    roles_seed_defaults()
    agent.refresh_from_db()
    assert "tickets.ticket:create" in agent.permissions
    assert "customers.customer:edit" not in agent.permissions
