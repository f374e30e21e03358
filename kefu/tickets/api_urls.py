from django.urls import path

from . import apis
from . import work_order_apis as wo

urlpatterns = [
    path("tickets/", apis.TicketListCreateApi.as_view(), name="ticket-list"),
    path("tickets/<int:pk>/", apis.TicketDetailApi.as_view(), name="ticket-detail"),
    path("tickets/<int:pk>/transition/", apis.TicketTransitionApi.as_view(), name="ticket-transition"),
    path("tickets/<int:pk>/dispatch/", apis.TicketDispatchApi.as_view(), name="ticket-dispatch"),
    path("tickets/<int:pk>/entries/", apis.TicketEntriesApi.as_view(), name="ticket-entries"),
    path("tickets/<int:pk>/events/", apis.TicketEventsApi.as_view(), name="ticket-events"),
    path("tickets/<int:pk>/work-orders/", wo.TicketWorkOrdersApi.as_view(), name="ticket-work-orders"),
    path("tickets/<int:pk>/attachments/", wo.TicketAttachmentsApi.as_view(), name="ticket-attachments"),
    path("tickets/bulk-assign/", wo.BulkAssignApi.as_view(), name="ticket-bulk-assign"),
    path("attachments/<int:pk>/download/", wo.AttachmentDownloadApi.as_view(), name="attachment-download"),
    path("work-orders/", wo.WorkOrderListApi.as_view(), name="work-order-list"),
    path("work-orders/<int:pk>/", wo.WorkOrderDetailApi.as_view(), name="work-order-detail"),
    path("work-orders/<int:pk>/assign/", wo.WorkOrderAssignApi.as_view(), name="work-order-assign"),
    path("work-orders/<int:pk>/arrive/", wo.WorkOrderArriveApi.as_view(), name="work-order-arrive"),
    path("work-orders/<int:pk>/finish/", wo.WorkOrderFinishApi.as_view(), name="work-order-finish"),
    path("saved-views/", wo.SavedViewListApi.as_view(), name="saved-view-list"),
    path("saved-views/<int:pk>/", wo.SavedViewDetailApi.as_view(), name="saved-view-detail"),
    path("ticket-status/", apis.TicketStatusApi.as_view(), name="ticket-status"),
    path("ticket-kinds/", apis.TicketKindListApi.as_view(), name="ticket-kind-list"),
    path("priorities/", apis.PriorityListApi.as_view(), name="priority-list"),
    path("service-categories/", apis.ServiceCategoryListApi.as_view(), name="service-category-list"),
    path("notifications/", apis.NotificationListApi.as_view(), name="notification-list"),
    path("notifications/<int:pk>/read/", apis.NotificationReadApi.as_view(), name="notification-read"),
]
