from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "kefu.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import checks  # noqa: F401  (registers the database check)

        post_migrate.connect(_seed_kinds, sender=self)


def _seed_kinds(**kwargs) -> None:
    from .services import customer_kinds_seed_defaults

    customer_kinds_seed_defaults()
