from django.conf import settings
from django.db import models
from django.utils import timezone
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


class PushMessage(models.Model):
    """One message pushed to one user's browser (kefu.core.push): an outbox row written in the transaction of
    its cause. Ids increase, so a stream resumes after the last id it delivered (SSE Last-Event-ID); old rows
    are pruned by the periodic job `core.push_prune`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE,
                             related_name="+")
    kind = models.CharField(_("kind"), max_length=50)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pushed message")
        verbose_name_plural = _("pushed messages")
        indexes = [models.Index(fields=["user", "id"], name="push_user_id")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.user_id}"
