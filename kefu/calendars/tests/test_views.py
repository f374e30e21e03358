"""The calendar page, the import form, day edits and the warning about next year's schedule (R11.1)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import Client, RequestFactory

from kefu.calendars.models import OfficialDay, OfficialYear

from .test_services import SCHEDULE_2027

SH = ZoneInfo("Asia/Shanghai")
WARNING = "2027"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_the_page_lists_calendars_and_the_year(agent):
    page = client_for(agent).get("/calendars/?year=2026").content.decode()
    assert "default" in page and "24x7" in page and "09:00–18:00" in page
    assert "2026-02-14" in page and "春节" in page and "2026-10-10" in page
    assert 'id="import"' not in page  # agents do not import


@pytest.mark.django_db
def test_the_calculator(agent):
    page = client_for(agent).get("/calendars/", {"start": "2026-02-13T17:00", "amount": "2",
                                                 "unit": "working_hours", "calendar": ""}).content.decode()
    assert "2026-02-14T10:00:00+08:00" in page
    page = client_for(agent).get("/calendars/", {"start": "2026-12-30T17:00", "amount": "3",
                                                 "unit": "working_days", "calendar": ""}).content.decode()
    assert "2027" in page and 'class="error"' in page


@pytest.mark.django_db
def test_an_administrator_imports_and_edits(admin_user, agent):
    client = client_for(admin_user)
    page = client.get("/calendars/").content.decode()
    assert 'id="import"' in page and 'id="day"' in page
    response = client.post("/calendars/import/", {"file": SimpleUploadedFile("2027.csv", SCHEDULE_2027.encode())})
    assert response.status_code == 302 and response.url.endswith("?year=2027")
    assert OfficialYear.objects.get(year=2027).source == "import"
    response = client.post("/calendars/import/", {"file": SimpleUploadedFile("bad.csv", b"2028-02-30,holiday,\n")})
    assert response.status_code == 400 and "2028-02-30" in response.content.decode()
    response = client.post("/calendars/days/", {"date": "2027-02-13", "kind": "holiday", "name": "春节"})
    assert response.status_code == 302
    assert not OfficialDay.objects.get(date=date(2027, 2, 13)).is_working_day
    client.post("/calendars/days/", {"date": "2027-02-13", "kind": "ordinary"})
    assert not OfficialDay.objects.filter(date=date(2027, 2, 13)).exists()
    assert client_for(agent).post("/calendars/days/", {"date": "2027-02-13", "kind": "holiday"}).status_code == 403


@pytest.mark.django_db
def test_administrators_are_warned_from_1_november(admin_user, agent):
    with time_machine.travel(datetime(2026, 10, 31, 12, tzinfo=SH), tick=False):
        assert "schedule-warning" not in client_for(admin_user).get("/calendars/").content.decode()
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=SH), tick=False):
        page = client_for(admin_user).get("/calendars/").content.decode()
        assert "schedule-warning" in page and WARNING in page
        assert page.count("schedule-warning") == 1
        assert "schedule-warning" not in client_for(agent).get("/calendars/").content.decode()
        OfficialYear.objects.create(year=2027, source="import")
        assert "schedule-warning" not in client_for(admin_user).get("/calendars/").content.decode()


@pytest.mark.django_db
def test_the_warning_tag_for_base_html(admin_user):
    """What base.html gets with `{% load calendars %}{% schedule_warning %}`: shown once per request."""
    request = RequestFactory().get("/")
    request.user = admin_user
    template = Template("{% load calendars %}{% schedule_warning %}{% schedule_warning %}")
    with time_machine.travel(datetime(2026, 11, 23, 12, tzinfo=SH), tick=False):
        html = template.render(Context({"request": request}))
    assert html.count("schedule-warning") == 1 and "/calendars/?year=2027#import" in html
