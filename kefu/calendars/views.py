"""Web pages for calendars (R11.1): calendars, the year's official schedule, a deadline calculator, and for
administrators the import form, day edits and the warning that next year's schedule is missing. Thin: they
call the selectors and services that the API and `kefu calendar` call too."""


from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import make_aware
from django.utils.translation import gettext as _
from django.views import View

from kefu.core import clock, permissions
from kefu.core.errors import KefuError

from . import arithmetic, selectors, services
from .forms import DeadlineForm, OfficialDayForm, ScheduleImportForm

VIEW = "calendars.calendar:view"
EDIT = "calendars.calendar:edit"


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if 1900 <= year <= 2200 else clock.today().year


def _page(request: HttpRequest, *, year: int, import_form=None, day_form=None, status: int = 200,
          import_errors=None) -> HttpResponse:
    calendars = list(selectors.calendar_list())
    deadline_form = DeadlineForm(request.GET if "amount" in request.GET else None, calendars=calendars)
    result, error = None, None
    if deadline_form.is_bound and deadline_form.is_valid():
        data = deadline_form.cleaned_data
        unit = arithmetic.Unit(data["unit"])
        try:
            name = data["calendar"] or None
            spec_name = name or ("default" if unit.is_working else "24x7")
            zone = arithmetic.zone(selectors.calendar_get(spec_name).time_zone)
            start = data["start"]
            start = make_aware(start.replace(tzinfo=None), zone)
            result = selectors.deadline_compute(start=start, amount=data["amount"], unit=unit, calendar_name=name)
        except KefuError as exc:
            error = exc.message_zh
    days = list(selectors.official_days(year))
    context = {
        "calendars": calendars, "year": year, "days": days, "summary": selectors.year_summary(year),
        "loaded_years": selectors.year_ranges(selectors.official_years()), "deadline_form": deadline_form,
        "deadline": result, "deadline_error": error, "can_edit": _can_edit(request.user),
        "import_form": import_form or ScheduleImportForm(), "import_errors": import_errors,
        "day_form": day_form or OfficialDayForm(), "today": clock.today(),
    }
    return render(request, "calendars/index.html", context, status=status)


def _can_edit(user) -> bool:
    return permissions.has_permission(user, EDIT) and not permissions.user_is_read_only(user)


class CalendarIndexView(View):
    """The calendars, the official schedule of one year (?year=) and a deadline calculator."""

    permission = VIEW

    def get(self, request: HttpRequest) -> HttpResponse:
        return _page(request, year=_year(request))


class ScheduleImportView(View):
    """R11.1: an administrator imports a year's official schedule (all or nothing)."""

    permission = EDIT
    write_permission = EDIT

    def get(self, request: HttpRequest) -> HttpResponse:
        return _page(request, year=_year(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = ScheduleImportForm(request.POST, request.FILES)
        year = _year(request)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            dry_run = form.cleaned_data["dry_run"]
            if upload.size > services.MAX_SCHEDULE_FILE_BYTES:
                form.add_error("file", _("The file is too large for an official schedule."))
            else:
                try:
                    report = services.schedule_import(actor=request.user, filename=upload.name,
                                                      content=upload.read(), dry_run=dry_run)
                except KefuError as error:
                    form.add_error("file", error.message_zh)
                    return _page(request, year=year, import_form=form, status=400,
                                 import_errors=getattr(getattr(error, "report", None), "errors", None))
                years = ", ".join(str(y) for y in report.years)
                template = (_("%(years)s checked: %(rows)s days, %(created)s to add, %(updated)s to change, "
                              "%(deleted)s to remove; nothing was written.") if dry_run else
                            _("%(years)s imported: %(rows)s days, %(created)s added, %(updated)s changed, "
                              "%(deleted)s removed."))
                messages.success(request, template % {"years": years, "rows": len(report.rows),
                                                      "created": report.created, "updated": report.updated,
                                                      "deleted": report.deleted})
                return redirect(f"{reverse('calendars:index')}?year={report.years[0]}")
        return _page(request, year=year, import_form=form, status=400)


class OfficialDaySetView(View):
    """R11.1: an administrator marks one day as a holiday or an adjusted working day, or removes the mark."""

    permission = EDIT
    write_permission = EDIT

    def get(self, request: HttpRequest) -> HttpResponse:
        return _page(request, year=_year(request))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = OfficialDayForm(request.POST)
        if not form.is_valid():
            return _page(request, year=_year(request), day_form=form, status=400)
        data = form.cleaned_data
        day = data["date"]
        if data["kind"] == "ordinary":
            existing = selectors.official_days(day.year).filter(date=day).first()
            if existing is not None:
                services.official_day_delete(actor=request.user, day=existing)
        else:
            services.official_day_set(actor=request.user, day=day, is_working_day=data["kind"] == "working",
                                      name=data["name"])
        messages.success(request, _("%(date)s saved.") % {"date": day.isoformat()})
        return redirect(f"{reverse('calendars:index')}?year={day.year}")


