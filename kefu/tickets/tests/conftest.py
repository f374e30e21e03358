import pytest

from kefu.accounts.models import Branch, Team
from kefu.tickets.models import TicketKind
from kefu.tickets.services import ticket_create


@pytest.fixture
def kinds(db):
    return {kind.code: kind for kind in TicketKind.objects.all()}


@pytest.fixture
def partner_team(db):
    return Team.objects.create(code="partner-a", name="华信第三方支持团队", kind=Team.Kind.THIRD_PARTY)


@pytest.fixture
def field_team(db):
    branch = Branch.objects.create(code="sh", name="上海分公司")
    return Team.objects.create(code="field-sh", name="上海现场服务队", kind=Team.Kind.FIELD, branch=branch)


@pytest.fixture
def make_ticket(kinds, agent):
    def make(kind="repair", actor=None, **fields):
        fields.setdefault("title", "POS 终端无法开机")
        return ticket_create(actor=actor or agent, kind=kinds[kind], **fields)

    return make
