"""Working calendars and China's official schedule (R11.1).

A `Calendar` is 7×24 or working hours (`WorkingInterval`s, the same on every working day) on working days that
follow China's official schedule (`OfficialDay`: holidays and adjusted working days, 调休, stored per year as
the exceptions to "Monday to Friday") or a weekly pattern. `OfficialYear` records which years are loaded; a
deadline that reaches another year is an error, never a guess (`kefu.calendars.arithmetic`).
"""

from datetime import time
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DEFAULT_CALENDAR = "default"
ALWAYS_OPEN_CALENDAR = "24x7"


def validate_time_zone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("Unknown time zone “%(zone)s”."), params={"zone": value}, code="time_zone_invalid")


_ZONES: set[str] = set()


def _time_zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


class Calendar(models.Model):
    class Kind(models.TextChoices):
        ALWAYS_OPEN = "24x7", _("7×24 (always open)")
        WORKING_HOURS = "working_hours", _("Working hours on working days")

    class WorkingDaysEnd(models.TextChoices):
        CLOSE_OF_BUSINESS = "close_of_business", _("Close of business")
        END_OF_DAY = "end_of_day", _("End of day (24:00)")

    name = models.SlugField(_("name"), max_length=50, unique=True,
                            help_text=_("Used by commands and the API, e.g. default, 24x7."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.WORKING_HOURS)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai",
                                 validators=[validate_time_zone])
    follows_official_schedule = models.BooleanField(
        _("follows China's official schedule"), default=True,
        help_text=_("Working days are China's official working days: holidays off, adjusted working days (调休) "
                    "worked. Otherwise the working weekdays below apply every week."))
    working_weekdays = models.CharField(
        _("working weekdays"), max_length=7, default="12345",
        validators=[RegexValidator(r"^(?!.*(.).*\1)[1-7]{1,7}$", _("Digits 1 (Monday) to 7 (Sunday), each once."))],
        help_text=_("Only when the official schedule is not followed: 1 = Monday … 7 = Sunday, e.g. 123456."))
    working_days_end = models.CharField(
        _("working-day deadlines end at"), max_length=20, choices=WorkingDaysEnd.choices,
        default=WorkingDaysEnd.CLOSE_OF_BUSINESS,
        help_text=_("A deadline of N working days ends at closing time of the Nth working day, or at its end."))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("calendar")
        verbose_name_plural = _("calendars")

    def __str__(self) -> str:
        return self.name

    @property
    def is_always_open(self) -> bool:
        return self.kind == self.Kind.ALWAYS_OPEN


class WorkingInterval(models.Model):
    """One stretch of working time, worked on every working day of its calendar; an end of 00:00 means 24:00."""

    calendar = models.ForeignKey(Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE,
                                 related_name="intervals")
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day (24:00)."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["calendar", "start"]
        verbose_name = _("working interval")
        verbose_name_plural = _("working intervals")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")) | models.Q(end=time(0)),
                                   name="working_interval_not_inverted"),
        ]

    def __str__(self) -> str:
        end = "24:00" if self.end == time(0) else self.end.strftime("%H:%M")
        return f"{self.start.strftime('%H:%M')}–{end}"

    def clean(self) -> None:
        if self.start is not None and self.end is not None and self.end != time(0) and self.end <= self.start:
            raise ValidationError({"end": _("The interval must end after it starts.")})


class OfficialDay(models.Model):
    """A day that differs from "Monday to Friday work, weekend off" in China's official schedule, or is named:
    a public holiday (also on a weekend inside the holiday) or an adjusted working day (调休)."""

    class Source(models.TextChoices):
        PACKAGE = "chinese-calendar", _("chinese-calendar package")
        IMPORT = "import", _("Import")
        MANUAL = "manual", _("Entered by an administrator")

    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(_("working day"))
    name = models.CharField(_("holiday"), max_length=100, blank=True, help_text=_("For example 春节, 国庆节."))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        verbose_name = _("official day")
        verbose_name_plural = _("official days")

    def __str__(self) -> str:
        kind = _("working day") if self.is_working_day else _("day off")
        return f"{self.date.isoformat()} {kind} {self.name}".strip()


class OfficialYear(models.Model):
    """A year whose official schedule is loaded (R11.1); deadlines never reach a year without one."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True,
                                            validators=[MinValueValidator(1900), MaxValueValidator(2200)])
    source = models.CharField(_("source"), max_length=20, choices=OfficialDay.Source.choices)
    loaded_at = models.DateTimeField(_("loaded"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["year"]
        verbose_name = _("official schedule year")
        verbose_name_plural = _("official schedule years")

    def __str__(self) -> str:
        return str(self.year)
