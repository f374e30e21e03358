"""Reads of complaints, limited to what the user may see (R1.3): a complaint is visible with its ticket."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kefu.core import permissions
from kefu.tickets.selectors import ticket_queryset_for

from .models import AppraisalDeduction, Complaint, FollowUpCallback


def complaint_queryset_for(user) -> QuerySet[Complaint]:
    """Holders of complaints.complaint:view see the complaints whose ticket they may see."""
    if not permissions.has_permission(user, "complaints.complaint:view"):
        return Complaint.objects.none()
    return Complaint.objects.filter(ticket__in=ticket_queryset_for(user))


def complaint_list_for(user, *, state: str = "", q: str = "") -> QuerySet[Complaint]:
    queryset = complaint_queryset_for(user).select_related("ticket", "ticket__state", "ticket__customer",
                                                           "against_staff")
    if state == "open":
        queryset = queryset.filter(ticket__state__is_closed=False)
    elif state == "closed":
        queryset = queryset.filter(ticket__state__is_closed=True)
    if q.strip():
        queryset = queryset.filter(ticket__number=q.strip().upper()) | queryset.filter(subject__icontains=q.strip())
    return queryset.order_by("-created_at", "-id")


def complaint_get_for(user, pk: int) -> Complaint:
    complaint = (complaint_queryset_for(user)
                 .select_related("ticket", "ticket__state", "ticket__customer", "ticket__team", "against_staff",
                                 "transferred_by", "recorded_by")
                 .filter(pk=pk).first())
    if complaint is None:
        raise Http404
    return complaint


def investigation_visible(user) -> bool:
    return permissions.has_permission(user, "complaints.investigation:view")


def deduction_list_for(user) -> QuerySet[AppraisalDeduction]:
    """R8.4: appraisal deductions from verified complaints, for those who read appraisals."""
    if not permissions.has_permission(user, "complaints.deduction:view"):
        return AppraisalDeduction.objects.none()
    return AppraisalDeduction.objects.select_related("person", "source_complaint__ticket", "created_by")


def follow_up_list_for(user) -> QuerySet[FollowUpCallback]:
    """R5.4: scheduled follow-up callbacks of the complaints the user may see, soonest first."""
    return (FollowUpCallback.objects.filter(complaint__in=complaint_queryset_for(user))
            .select_related("complaint__ticket", "customer").order_by("due_at", "id"))
