from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "kefu.contacts"
    label = "contacts"
    verbose_name = _("Contacts and telephony")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import tunables  # noqa: F401  (registers the app's tunables)

        post_migrate.connect(_seed, sender=self)


def _seed(**kwargs) -> None:
    from .services import phrases_seed_defaults

    phrases_seed_defaults()
