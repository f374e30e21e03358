from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("", views.CalendarIndexView.as_view(), name="index"),
    path("import/", views.ScheduleImportView.as_view(), name="import"),
    path("days/", views.OfficialDaySetView.as_view(), name="day_set"),
]
