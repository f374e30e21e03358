from django.urls import path

from . import views

app_name = "sla"

urlpatterns = [
    path("clocks/<int:pk>/extend/", views.ClockExtendView.as_view(), name="extend"),
]
