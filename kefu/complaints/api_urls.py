from django.urls import path

from . import apis

urlpatterns = [
    path("complaints/", apis.ComplaintListCreateApi.as_view(), name="complaint-list"),
    path("complaints/transfer-phrase/", apis.TransferPhraseApi.as_view(), name="complaint-transfer-phrase"),
    path("complaints/<int:pk>/", apis.ComplaintDetailApi.as_view(), name="complaint-detail"),
    path("complaints/<int:pk>/record/", apis.ComplaintRecordApi.as_view(), name="complaint-record"),
    path("complaints/<int:pk>/extend/", apis.ComplaintExtendApi.as_view(), name="complaint-extend"),
    path("complaints/<int:pk>/investigation/", apis.ComplaintConcludeApi.as_view(), name="complaint-conclude"),
    path("complaints/<int:pk>/inform/", apis.ComplaintInformApi.as_view(), name="complaint-inform"),
    path("complaints/<int:pk>/close/", apis.ComplaintCloseApi.as_view(), name="complaint-close"),
    path("appraisal-deductions/", apis.DeductionListApi.as_view(), name="appraisal-deduction-list"),
    path("complaint-follow-ups/", apis.FollowUpListApi.as_view(), name="complaint-follow-up-list"),
]
