from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "kefu.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.customers.selectors import TICKET_LOOKUP_PROVIDERS

        from . import config
        from .models import Priority, TicketKind, Workflow, WorkflowState

        post_migrate.connect(_seed, sender=self)
        # Every process keeps these in memory for ticket creation; a change tells them all (kefu.tickets.config).
        config.watch(TicketKind, Priority, Workflow, WorkflowState)
        TICKET_LOOKUP_PROVIDERS.append(_customers_of_ticket)


def _seed(**kwargs) -> None:
    from .services import tickets_seed_defaults

    tickets_seed_defaults()


def _customers_of_ticket(user, number: str):
    """R2.2: the search box finds a customer by one of his ticket numbers."""
    from .selectors import ticket_queryset_for

    return ticket_queryset_for(user).filter(number=number).values("customer_id")
