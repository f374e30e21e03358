from django.urls import path

from . import apis

urlpatterns = [
    path("callbacks/", apis.CallbackListCreateApi.as_view(), name="callback-list"),
    path("callbacks/plan-day/", apis.CallbackPlanDayApi.as_view(), name="callback-plan-day"),
    path("callbacks/figures/", apis.CallbackFiguresApi.as_view(), name="callback-figures"),
    path("callbacks/export/", apis.CallbackExportApi.as_view(), name="callback-export"),
    path("callbacks/<int:pk>/", apis.CallbackDetailApi.as_view(), name="callback-detail"),
    path("callbacks/<int:pk>/call/", apis.CallbackRecordCallApi.as_view(), name="callback-call"),
    path("callbacks/<int:pk>/resolve/", apis.CallbackResolveApi.as_view(), name="callback-resolve"),
    path("callbacks/<int:pk>/assign/", apis.CallbackAssignApi.as_view(), name="callback-assign"),
    path("callbacks/<int:pk>/cancel/", apis.CallbackCancelApi.as_view(), name="callback-cancel"),
    path("callback-forms/", apis.CallbackFormListApi.as_view(), name="callback-form-list"),
    path("callback-rules/", apis.CallbackRuleListApi.as_view(), name="callback-rule-list"),
    path("surveys/", apis.SurveyListCreateApi.as_view(), name="survey-list"),
    path("surveys/figures/", apis.SatisfactionFiguresApi.as_view(), name="survey-figures"),
    path("surveys/<int:pk>/", apis.SurveyDetailApi.as_view(), name="survey-detail"),
    path("sms-outbox/", apis.SmsOutboxApi.as_view(), name="sms-outbox"),
]
