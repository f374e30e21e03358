from django.urls import path

from . import apis

urlpatterns = [
    path("lookup/", apis.CustomerLookupApi.as_view(), name="customer-lookup"),
    path("customers/", apis.CustomerListCreateApi.as_view(), name="customer-list"),
    path("customers/<int:pk>/", apis.CustomerDetailApi.as_view(), name="customer-detail"),
    path("customers/<int:pk>/reveal/", apis.CustomerRevealApi.as_view(), name="customer-reveal"),
    path("customers/<int:pk>/history/", apis.CustomerHistoryApi.as_view(), name="customer-history"),
    path("customer-kinds/", apis.CustomerKindListApi.as_view(), name="customer-kind-list"),
    path("reveal-log/", apis.RevealLogListApi.as_view(), name="reveal-log"),
    path("customer-imports/", apis.ImportJobListCreateApi.as_view(), name="customer-import-list"),
    path("customer-imports/<int:pk>/", apis.ImportJobDetailApi.as_view(), name="customer-import-detail"),
    path("customer-imports/<int:pk>/confirm/", apis.ImportJobConfirmApi.as_view(), name="customer-import-confirm"),
]
