from django.urls import path

from . import apis

urlpatterns = [
    path("sla-policies/", apis.PolicyListApi.as_view(), name="sla-policy-list"),
    path("clocks/<int:pk>/", apis.ClockDetailApi.as_view(), name="clock-detail"),
    path("clocks/<int:pk>/extend/", apis.ClockExtendApi.as_view(), name="clock-extend"),
]
