from django.urls import path

from . import views

app_name = "callbacks"

urlpatterns = [
    path("", views.MyCallbacksView.as_view(), name="mine"),
    path("all/", views.CallbackListView.as_view(), name="list"),
    path("planning/", views.PlanningView.as_view(), name="planning"),
    path("new/", views.CallbackCreateView.as_view(), name="create"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("export/", views.ExportView.as_view(), name="export"),
    path("surveys/", views.SurveyListView.as_view(), name="surveys"),
    path("surveys/send/", views.SurveySendView.as_view(), name="survey_send"),
    path("surveys/<int:pk>/", views.SurveyDetailView.as_view(), name="survey_detail"),
    path("s/<str:token>/", views.PublicSurveyView.as_view(), name="survey"),
    path("<int:pk>/", views.CallbackDetailView.as_view(), name="detail"),
    path("<int:pk>/call/", views.RecordCallView.as_view(), name="call"),
    path("<int:pk>/resolve/", views.ResolveView.as_view(), name="resolve"),
    path("<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/cancel/", views.CancelView.as_view(), name="cancel"),
]
