from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("staffing/", views.StaffingView.as_view(), name="staffing"),
    path("forecast/", views.ForecastView.as_view(), name="forecast"),
    path("plans/", views.PlanListView.as_view(), name="plans"),
    path("staffing-plans/<int:pk>/", views.PlanDetailView.as_view(), name="plan"),
    path("solver-jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("rosters/", views.RosterListView.as_view(), name="rosters"),
    path("rosters/<int:pk>/", views.RosterDetailView.as_view(), name="roster"),
    path("my-roster/", views.MyRosterView.as_view(), name="my_roster"),
    path("leave/", views.LeaveView.as_view(), name="leave"),
    path("leave-requests/<int:pk>/", views.LeaveDetailView.as_view(), name="leave_detail"),
    path("leave-requests/<int:pk>/cancel/", views.LeaveCancelView.as_view(), name="leave_cancel"),
    path("surge/", views.SurgeView.as_view(), name="surge"),
    path("surges/<int:pk>/", views.SurgeDetailView.as_view(), name="surge_detail"),
]
