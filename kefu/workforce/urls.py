from django.urls import path

from . import views

app_name = "workforce"

urlpatterns = [
    path("staffing/", views.StaffingView.as_view(), name="staffing"),
]
