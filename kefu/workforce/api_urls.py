from django.urls import path

from . import apis

urlpatterns = [
    path("workforce/staffing/", apis.StaffingApi.as_view(), name="workforce-staffing"),
    path("workforce/seats/", apis.SeatsApi.as_view(), name="workforce-seats"),
    path("workforce/headcount/", apis.HeadcountApi.as_view(), name="workforce-headcount"),
    path("workforce/seat-trigger/", apis.SeatTriggerApi.as_view(), name="workforce-seat-trigger"),
    path("workforce/defaults/", apis.DefaultsApi.as_view(), name="workforce-defaults"),
]
