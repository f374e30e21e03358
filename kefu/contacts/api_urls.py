from django.urls import path

from . import apis
from . import workbench_apis as wb

urlpatterns = [
    path("telephony/events", apis.TelephonyEventsApi.as_view(), name="telephony-events"),
    path("contacts/", apis.ContactListCreateApi.as_view(), name="contact-list"),
    path("contacts/<int:pk>/", apis.ContactDetailApi.as_view(), name="contact-detail"),
    path("contacts/<int:pk>/tickets/", apis.ContactTicketsApi.as_view(), name="contact-tickets"),
    path("queues/", apis.QueueListApi.as_view(), name="queue-list"),
    path("call-figures/", apis.FiguresApi.as_view(), name="call-figures"),
    path("standard-phrases/", apis.StandardPhraseListCreateApi.as_view(), name="standard-phrase-list"),
    path("standard-phrases/<int:pk>/", apis.StandardPhraseDetailApi.as_view(), name="standard-phrase-detail"),
    path("forbidden-phrases/", apis.ForbiddenPhraseListCreateApi.as_view(), name="forbidden-phrase-list"),
    path("forbidden-phrases/<int:pk>/", apis.ForbiddenPhraseDetailApi.as_view(), name="forbidden-phrase-detail"),
    path("agent-state/", apis.MyAgentStateApi.as_view(), name="agent-state"),
    path("agent-states/", apis.AgentStateListApi.as_view(), name="agent-state-list"),
    path("cdr-imports/", apis.CdrImportListCreateApi.as_view(), name="cdr-import-list"),
    path("workbench/pop/", wb.WorkbenchPopApi.as_view(), name="workbench-pop"),
    path("workbench/record/", wb.WorkbenchRecordApi.as_view(), name="workbench-record"),
    path("contacts/<int:pk>/recording/", wb.ContactRecordingApi.as_view(), name="contact-recording"),
    path("recording-accesses/", wb.RecordingAccessListApi.as_view(), name="recording-access-list"),
]
