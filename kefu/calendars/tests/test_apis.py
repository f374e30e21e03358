"""/api/v1/ for calendars: deadlines (same parameters as the CLI), calendars, official days, import (R11.1)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kefu.calendars.models import Calendar, OfficialDay, OfficialYear

from .test_services import SCHEDULE_2027


@pytest.mark.django_db
def test_deadline_by_get_and_post(agent, api_client_for):
    client = api_client_for(agent)
    response = client.get("/api/v1/deadline/", {"start": "2026-02-13T17:00:00+08:00", "working_hours": "2"})
    assert response.status_code == 200, response.content
    assert response.json() == {"deadline": "2026-02-14T10:00:00+08:00", "start": "2026-02-13T17:00:00+08:00",
                               "unit": "working_hours", "amount": "2", "calendar": "default"}
    response = client.post("/api/v1/deadline/", {"start": "2026-02-13T17:00:00+08:00", "working_days": 3},
                           format="json")
    assert response.json()["deadline"] == "2026-02-25T18:00:00+08:00"
    response = client.post("/api/v1/deadline/", {"start": "2026-02-13T17:00:00+08:00", "minutes": 8,
                                                 "calendar": "default"}, format="json")
    assert response.json()["deadline"] == "2026-02-13T17:08:00+08:00"


@pytest.mark.django_db
@pytest.mark.parametrize(("params", "code", "field"), [
    ({"start": "2026-02-13T17:00:00", "working_hours": "2"}, "start_naive", "start"),
    ({"start": "2026-02-13T17:00:00+08:00", "working_hours": "0"}, "duration_not_positive", "duration"),
    ({"start": "2026-02-13T17:00:00+08:00", "working_hours": "-1"}, "duration_not_positive", "duration"),
    ({"start": "2026-12-30T17:00:00+08:00", "working_days": "3"}, "schedule_missing", None),
    ({"start": "2026-02-13T17:00:00+08:00", "working_hours": "2", "calendar": "nope"}, "calendar_unknown",
     "calendar"),
    ({"start": "soon", "hours": "1"}, "start_invalid", "start"),
    ({"start": "2026-02-13T17:00:00+08:00"}, "invalid", "duration"),
    ({"start": "2026-02-13T17:00:00+08:00", "hours": "1", "minutes": "1"}, "invalid", "duration"),
])
def test_deadline_bad_input(agent, api_client_for, params, code, field):
    response = api_client_for(agent).get("/api/v1/deadline/", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error.get("field") == field
    assert error["message"] and error["message_en"]


@pytest.mark.django_db
def test_the_auditor_may_compute_but_not_edit(auditor, api_client_for):
    client = api_client_for(auditor)
    assert client.post("/api/v1/deadline/", {"start": "2026-02-13T17:00:00+08:00", "hours": 1},
                       format="json").status_code == 200
    assert client.post("/api/v1/official-days/", {"date": "2026-02-14", "is_working_day": False},
                       format="json").status_code == 403


@pytest.mark.django_db
def test_calendars_list_and_change(agent, admin_user, api_client_for):
    calendars = api_client_for(agent).get("/api/v1/calendars/").json()
    default = next(c for c in calendars if c["name"] == "default")
    assert default["intervals"] == [{"start": "09:00", "end": "18:00"}] and default["time_zone"] == "Asia/Shanghai"
    url = f"/api/v1/calendars/{default['id']}/"
    assert api_client_for(agent).patch(url, {"description": "x"}, format="json").status_code == 403
    admin = api_client_for(admin_user)
    response = admin.patch(url, {"intervals": [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "24:00"}]},
                           format="json")
    assert response.status_code == 200, response.content
    assert response.json()["intervals"] == [{"start": "08:30", "end": "12:00"}, {"start": "13:00", "end": "24:00"}]
    response = admin.patch(url, {"intervals": [{"start": "09:00", "end": "12:00"}, {"start": "11:00",
                                                                                     "end": "18:00"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "interval_overlap"
    assert response.json()["error"]["field"] == "intervals"
    assert Calendar.objects.get(name="default").intervals.count() == 2


@pytest.mark.django_db
def test_official_days(agent, admin_user, api_client_for):
    days = api_client_for(agent).get("/api/v1/official-days/", {"year": 2026}).json()
    assert {"date": "2026-02-14", "is_working_day": True, "name": "春节", "source": "chinese-calendar"}.items() <= (
        next(d for d in days if d["date"] == "2026-02-14").items())
    admin = api_client_for(admin_user)
    response = admin.post("/api/v1/official-days/", {"date": "2026-02-14", "is_working_day": False,
                                                     "name": "春节"}, format="json")
    assert response.status_code == 201, response.content
    day = OfficialDay.objects.get(date=date(2026, 2, 14))
    assert not day.is_working_day and day.source == "manual"
    assert admin.patch(f"/api/v1/official-days/{day.pk}/", {"is_working_day": True},
                       format="json").json()["is_working_day"] is True
    assert admin.delete(f"/api/v1/official-days/{day.pk}/").status_code == 204
    assert not OfficialDay.objects.filter(date=date(2026, 2, 14)).exists()
    years = api_client_for(agent).get("/api/v1/official-years/").json()
    assert years[-1]["year"] == 2026 and years[0]["year"] == 2004


@pytest.mark.django_db
def test_import_through_the_api(admin_user, agent, api_client_for):
    def upload(content: bytes, **data):
        return {"file": SimpleUploadedFile("2027.csv", content, content_type="text/csv"), **data}

    assert api_client_for(agent).post("/api/v1/official-days/import/", upload(SCHEDULE_2027.encode()),
                                      format="multipart").status_code == 403
    admin = api_client_for(admin_user)
    response = admin.post("/api/v1/official-days/import/", upload(SCHEDULE_2027.encode(), dry_run=True),
                          format="multipart")
    assert response.status_code == 200 and response.json()["created"] == 9
    assert not OfficialYear.objects.filter(year=2027).exists()
    response = admin.post("/api/v1/official-days/import/", upload(SCHEDULE_2027.encode()), format="multipart")
    assert response.status_code == 201 and response.json()["years"] == [2027]
    assert OfficialYear.objects.filter(year=2027).exists()
    response = admin.post("/api/v1/official-days/import/", upload(b"2028-01-01,someday,\n"), format="multipart")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "import_invalid" and error["rows"][0]["line"] == 1
