import pytest

from kefu.accounts.models import Team
from kefu.tickets.models import TicketKind
from kefu.tickets.services import ticket_create


@pytest.fixture
def desk(db):
    return Team.objects.create(code="desk", name="一线坐席组", kind=Team.Kind.FIRST_LINE)


@pytest.fixture
def kinds(db):
    return {kind.code: kind for kind in TicketKind.objects.all()}


@pytest.fixture
def make_ticket(kinds, agent):
    def make(kind="repair", **fields):
        fields.setdefault("title", "POS 终端无法开机")
        return ticket_create(actor=fields.pop("actor", agent), kind=kinds[kind], **fields)

    return make
