from django.db import models
from django.utils.translation import gettext_lazy as _


class Setting(models.Model):
    """An administrator's value for a tunable (kefu.core.tunables); absent means the default."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("setting")
        verbose_name_plural = _("settings")

    def __str__(self) -> str:
        return self.key
