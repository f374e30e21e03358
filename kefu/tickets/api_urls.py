from django.urls import path

from . import apis

urlpatterns = [
    path("tickets/", apis.TicketListCreateApi.as_view(), name="ticket-list"),
    path("tickets/<int:pk>/", apis.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:pk>/transition/", apis.TicketTransitionApi.as_view(), name="ticket-transition"),
    path("tickets/<int:pk>/dispatch/", apis.TicketDispatchApi.as_view(), name="ticket-dispatch"),
    path("tickets/<int:pk>/entries/", apis.TicketEntriesApi.as_view(), name="ticket-entries"),
    path("tickets/<int:pk>/events/", apis.TicketEventsApi.as_view(), name="ticket-events"),
    path("ticket-status/", apis.TicketStatusApi.as_view(), name="ticket-status"),
    path("ticket-kinds/", apis.TicketKindListApi.as_view(), name="ticket-kind-list"),
    path("priorities/", apis.PriorityListApi.as_view(), name="priority-list"),
    path("service-categories/", apis.ServiceCategoryListApi.as_view(), name="service-category-list"),
    path("notifications/", apis.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", apis.NotificationReadApi.as_view(), name="notification-read"),
]
