import pytest

from kefu.accounts.models import Team


@pytest.fixture
def complaint_desk(db):
    return Team.objects.create(code="complaints", name="投诉处理组", kind=Team.Kind.COMPLAINT_DESK)


@pytest.fixture
def handler(make_user, complaint_desk):
    user = make_user("complaint_handler", full_name="投诉经理王芳")
    user.teams.add(complaint_desk)
    return user
