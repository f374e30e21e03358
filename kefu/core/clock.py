"""The one clock of Kefu: aware datetimes only (never datetime.now() or date.today())."""

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate()
