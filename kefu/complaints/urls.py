from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="list"),
    path("new/", views.ComplaintCreateView.as_view(), name="create"),
    path("deductions/", views.DeductionListView.as_view(), name="deductions"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="follow_ups"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="detail"),
    path("<int:pk>/record/", views.ComplaintRecordView.as_view(), name="record"),
    path("<int:pk>/extend/", views.ComplaintExtendView.as_view(), name="extend"),
    path("<int:pk>/investigation/", views.ComplaintConcludeView.as_view(), name="conclude"),
    path("<int:pk>/inform/", views.ComplaintInformView.as_view(), name="inform"),
    path("<int:pk>/close/", views.ComplaintCloseView.as_view(), name="close"),
]
