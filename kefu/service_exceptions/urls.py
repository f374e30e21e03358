from django.urls import path

from . import views

app_name = "service_exceptions"

urlpatterns = [
    path("", views.ExceptionListView.as_view(), name="list"),
    path("new/", views.ExceptionReportView.as_view(), name="report"),
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("ledger/export/", views.LedgerExportView.as_view(), name="ledger_export"),
    path("links/", views.LinkView.as_view(), name="links"),
    path("report/<str:token>/", views.PublicReportView.as_view(), name="public_report"),
    path("<int:pk>/", views.ExceptionDetailView.as_view(), name="detail"),
    path("<int:pk>/assess/", views.AssessView.as_view(), name="assess"),
    path("<int:pk>/plan/", views.PlanView.as_view(), name="plan"),
    path("<int:pk>/approval/", views.DecideView.as_view(), name="approval"),
    path("<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("<int:pk>/complete/", views.CompleteView.as_view(), name="complete"),
    path("<int:pk>/inform/", views.InformView.as_view(), name="inform"),
    path("<int:pk>/rate/", views.RateView.as_view(), name="rate"),
    path("<int:pk>/archive/", views.ArchiveView.as_view(), name="archive"),
]
