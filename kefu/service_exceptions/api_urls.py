from django.urls import path

from . import apis

urlpatterns = [
    path("service-exceptions/", apis.ExceptionListCreateApi.as_view(), name="service-exception-list"),
    path("service-exceptions/<int:pk>/", apis.ExceptionDetailApi.as_view(), name="service-exception-detail"),
    path("service-exceptions/<int:pk>/assess/", apis.ExceptionAssessApi.as_view(), name="service-exception-assess"),
    path("service-exceptions/<int:pk>/plan/", apis.ExceptionPlanApi.as_view(), name="service-exception-plan"),
    path("service-exceptions/<int:pk>/approval/", apis.ExceptionDecideApi.as_view(),
         name="service-exception-approval"),
    path("service-exceptions/<int:pk>/follow-up/", apis.ExceptionFollowUpApi.as_view(),
         name="service-exception-follow-up"),
    path("service-exceptions/<int:pk>/complete/", apis.ExceptionCompleteApi.as_view(),
         name="service-exception-complete"),
    path("service-exceptions/<int:pk>/inform/", apis.ExceptionInformApi.as_view(), name="service-exception-inform"),
    path("service-exceptions/<int:pk>/rate/", apis.ExceptionRateApi.as_view(), name="service-exception-rate"),
    path("service-exceptions/<int:pk>/archive/", apis.ExceptionArchiveApi.as_view(),
         name="service-exception-archive"),
    path("service-exceptions/<int:pk>/events/", apis.ExceptionEventsApi.as_view(), name="service-exception-events"),
    path("service-exception-ledger/", apis.LedgerApi.as_view(), name="service-exception-ledger"),
    path("service-exception-ledger/export/", apis.LedgerExportApi.as_view(), name="service-exception-ledger-export"),
    path("service-exception-kpis/", apis.KpiApi.as_view(), name="service-exception-kpis"),
    path("service-exception-analysis/", apis.AnalysisApi.as_view(), name="service-exception-analysis"),
    path("service-exception-categories/", apis.CategoryListApi.as_view(), name="service-exception-category-list"),
    path("service-exception-levels/", apis.LevelListApi.as_view(), name="service-exception-level-list"),
]
