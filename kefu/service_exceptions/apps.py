from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceExceptionsConfig(AppConfig):
    name = "kefu.service_exceptions"
    label = "service_exceptions"
    verbose_name = _("Service exceptions")
