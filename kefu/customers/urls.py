from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("new/", views.CustomerEditView.as_view(), name="create"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path("<int:pk>/reveal/", views.CustomerRevealView.as_view(), name="reveal"),
    path("<int:pk>/history/", views.CustomerHistoryView.as_view(), name="history"),
    path("reveal-log/", views.RevealLogView.as_view(), name="reveal_log"),
    path("imports/", views.ImportListView.as_view(), name="imports"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
]
