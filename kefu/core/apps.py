from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kefu.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import periodic, push, signals

        post_migrate.connect(signals.create_cache_table, sender=self)
        periodic.register("core.push_prune", push.push_prune)

