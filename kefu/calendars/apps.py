from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "kefu.calendars"
    label = "calendars"
    verbose_name = _("Working calendars")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import tunables  # noqa: F401  (registers the app's tunables)

        post_migrate.connect(_seed, sender=self)


def _seed(**kwargs) -> None:
    from .services import calendars_seed_defaults

    calendars_seed_defaults()
