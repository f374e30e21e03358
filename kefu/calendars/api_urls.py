from django.urls import path

from . import apis

urlpatterns = [
    path("deadline/", apis.DeadlineApi.as_view(), name="deadline"),
    path("calendars/", apis.CalendarListApi.as_view(), name="calendar-list"),
    path("calendars/<int:pk>/", apis.CalendarDetailApi.as_view(), name="calendar-detail"),
    path("official-days/", apis.OfficialDayListApi.as_view(), name="official-day-list"),
    path("official-days/import/", apis.ScheduleImportApi.as_view(), name="official-day-import"),
    path("official-days/<int:pk>/", apis.OfficialDayDetailApi.as_view(), name="official-day-detail"),
    path("official-years/", apis.OfficialYearListApi.as_view(), name="official-year-list"),
]
