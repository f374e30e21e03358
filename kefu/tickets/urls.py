from django.urls import path

from . import views
from . import work_order_views as wo

app_name = "tickets"

urlpatterns = [
    path("", views.TicketListView.as_view(), name="list"),
    path("new/", views.TicketCreateView.as_view(), name="create"),
    path("status/", views.TicketStatusView.as_view(), name="status"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="detail"),
    path("<int:pk>/transition/", views.TicketTransitionView.as_view(), name="transition"),
    path("<int:pk>/dispatch/", views.TicketDispatchView.as_view(), name="dispatch"),
    path("<int:pk>/entries/", views.TicketEntryView.as_view(), name="entries"),
    path("<int:pk>/work-order/", wo.WorkOrderCreateView.as_view(), name="work_order_create"),
    path("<int:pk>/attachments/", wo.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("attachments/<int:pk>/", wo.AttachmentDownloadView.as_view(), name="attachment"),
    path("work-orders/", wo.WorkOrderListView.as_view(), name="work_orders"),
    path("work-orders/<int:pk>/", wo.WorkOrderDetailView.as_view(), name="work_order"),
    path("work-orders/<int:pk>/assign/", wo.WorkOrderAssignView.as_view(), name="work_order_assign"),
    path("work-orders/<int:pk>/arrive/", wo.WorkOrderArriveView.as_view(), name="work_order_arrive"),
    path("work-orders/<int:pk>/finish/", wo.WorkOrderFinishView.as_view(), name="work_order_finish"),
    path("saved-views/", wo.SavedViewCreateView.as_view(), name="saved_view_create"),
    path("saved-views/<int:pk>/delete/", wo.SavedViewDeleteView.as_view(), name="saved_view_delete"),
    path("bulk-assign/", wo.BulkAssignView.as_view(), name="bulk_assign"),
]
