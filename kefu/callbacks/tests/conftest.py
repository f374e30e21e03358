import pytest

from kefu.accounts.models import Team
from kefu.tickets.models import TicketKind
from kefu.tickets.services import ticket_create, ticket_transition


@pytest.fixture
def desk(db):
    return Team.objects.create(code="desk", name="一线坐席组", kind=Team.Kind.FIRST_LINE)


@pytest.fixture
def kinds(db):
    return {kind.code: kind for kind in TicketKind.objects.all()}


@pytest.fixture
def planner(make_user):
    return make_user("business_management", full_name="业务管理部 李娜")


@pytest.fixture
def make_agent(make_user, desk):
    def make(name: str = "", **kwargs):
        user = make_user("agent", full_name=name, **kwargs)
        user.teams.add(desk)
        return user

    return make


@pytest.fixture
def closed_ticket(kinds, make_user):
    """A ticket of a kind, moved through its workflow to closed by an agent (at the current time)."""
    closer = make_user("agent")

    def make(kind: str = "repair", customer=None, title: str = "POS 终端无法开机", **fields):
        ticket = ticket_create(actor=closer, kind=kinds[kind], title=title, customer=customer, **fields)
        for transition, reason in (("start", ""), ("resolve", "更换电源适配器后恢复"), ("close", "")):
            ticket = ticket_transition(actor=closer, ticket=ticket, transition=transition, version=ticket.version,
                                       reason=reason)
        return ticket

    return make
