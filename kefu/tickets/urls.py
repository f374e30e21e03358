from django.urls import path

from . import views

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="list"),
    path("new/", views.TicketCreateView.as_view(), name="create"),
    path("status/", views.TicketStatusView.as_view(), name="status"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="detail"),
    path("<int:pk>/transition/", views.TicketTransitionView.as_view(), name="transition"),
    path("<int:pk>/dispatch/", views.TicketDispatchView.as_view(), name="dispatch"),
    path("<int:pk>/entries/", views.TicketEntryView.as_view(), name="entries"),
]
