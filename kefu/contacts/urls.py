from django.urls import path

from . import views
from . import workbench_views as wb

app_name = "contacts"

urlpatterns = [
    path("", views.ContactListView.as_view(), name="list"),
    path("new/", views.ContactCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ContactDetailView.as_view(), name="detail"),
    path("<int:pk>/summary/", views.ContactSummaryView.as_view(), name="summary"),
    path("<int:pk>/tickets/", views.ContactTicketView.as_view(), name="link_ticket"),
    path("figures/", views.FiguresView.as_view(), name="figures"),
    path("phrases/", views.PhraseListView.as_view(), name="phrases"),
    path("standard-phrases/new/", views.StandardPhraseEditView.as_view(), name="standard_phrase_create"),
    path("standard-phrases/<int:pk>/", views.StandardPhraseEditView.as_view(), name="standard_phrase_edit"),
    path("forbidden-phrases/new/", views.ForbiddenPhraseEditView.as_view(), name="forbidden_phrase_create"),
    path("forbidden-phrases/<int:pk>/", views.ForbiddenPhraseEditView.as_view(), name="forbidden_phrase_edit"),
    path("agent-state/", views.MyAgentStateView.as_view(), name="agent_state"),
    path("agents/", views.AgentBoardView.as_view(), name="agents"),
    path("cdr-imports/", views.CdrImportView.as_view(), name="cdr_imports"),
    path("workbench/", wb.WorkbenchView.as_view(), name="workbench"),
    path("workbench/stream/", wb.WorkbenchStreamView.as_view(), name="workbench_stream"),
    path("workbench/pop/", wb.WorkbenchPopView.as_view(), name="workbench_pop"),
    path("workbench/form/", wb.WorkbenchFormView.as_view(), name="workbench_form"),
    path("workbench/record/", wb.WorkbenchRecordView.as_view(), name="workbench_record"),
    path("<int:pk>/recording/", wb.RecordingOpenView.as_view(), name="recording"),
    path("recording-log/", wb.RecordingLogView.as_view(), name="recording_log"),
]
