from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContactsConfig(AppConfig):
    name = "kefu.contacts"
    label = "contacts"
    verbose_name = _("Contacts and telephony")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import services, tunables  # noqa: F401  (registers the app's tunables)
        from .workbench import push_offered

        post_migrate.connect(_seed, sender=self)
        # R3.2: a call ringing at an agent pops his workbench (one outbox row, after the commit).
        if push_offered not in services.OFFER_LISTENERS:
            services.OFFER_LISTENERS.append(push_offered)


def _seed(**kwargs) -> None:
    from .services import phrases_seed_defaults

    phrases_seed_defaults()
