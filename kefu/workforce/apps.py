from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "kefu.workforce"
    label = "workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from . import defaults  # noqa: F401 - registers the workforce tunables (R9.2–R9.4)
