from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallbacksConfig(AppConfig):
    name = "kefu.callbacks"
    label = "callbacks"
    verbose_name = _("Callbacks and satisfaction surveys")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from kefu.core import periodic

        from . import services

        post_migrate.connect(_seed, sender=self)
        periodic.register("callbacks.daily_rules", services.callbacks_daily)
        from kefu.sla.services import register_target_holders

        register_target_holders("callback", services.callback_holders)


def _seed(**kwargs) -> None:
    from .services import callbacks_seed_defaults

    callbacks_seed_defaults()
