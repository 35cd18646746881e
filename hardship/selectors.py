"""Reads of the shared models, always scoped to the acting user."""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .access import AUDIT_READERS, UNION_READERS, scope_queryset, scope_unions
from .models import AuditEvent, ExportJob, Notification, Union


def union_list(*, user, search: str = "", level: str = "") -> QuerySet[Union]:
    """The unions the user may see, with how many unions stand directly below each."""
    unions = scope_unions(user, UNION_READERS).select_related("parent")
    if search:
        unions = unions.filter(Q(name__icontains=search) | Q(code__icontains=search))
    if level:
        unions = unions.filter(level=level)
    return unions.annotate(child_count=Count("children")).order_by("path")


def union_get(*, user, pk: int) -> Union:
    """One union in the user's scope; 404 (not 403) outside it, so nothing leaks by its id."""
    try:
        return scope_unions(user, UNION_READERS).select_related("parent").get(pk=pk)
    except Union.DoesNotExist as exc:
        raise Http404 from exc


def union_children(*, user, union: Union) -> QuerySet[Union]:
    return scope_unions(user, UNION_READERS).filter(parent=union).order_by("name")


def union_count(*, user) -> int:
    return scope_unions(user, UNION_READERS).count()


def audit_event_list(*, user, verb: str = "") -> QuerySet[AuditEvent]:
    """Audit events of the user's unions (and events with no union, for system admins only)."""
    events = scope_queryset(AuditEvent.objects.all(), user, roles=AUDIT_READERS)
    if verb:
        events = events.filter(verb=verb)
    return events.select_related("actor", "union")


def unread_notifications(*, user_id) -> QuerySet[Notification]:
    """The bell's count: the user's notifications not yet marked read."""
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True)


def export_list(*, user) -> QuerySet[ExportJob]:
    """「我的导出」: the user's own exports of the last 24 hours (newest first)."""
    return ExportJob.objects.filter(owner=user, expires_at__gt=timezone.now()).order_by("-created_at", "-id")


def export_get(*, user, pk: int) -> ExportJob:
    """One written export of the user's, while it lasts and while they still hold its roles over its union.

    Anyone else's, an expired one or one whose scope the owner lost: 404, so nothing leaks by its id."""
    job = export_list(user=user).filter(pk=pk, status=ExportJob.Status.DONE).select_related("union").first()
    if job is None or not scope_unions(user, job.roles).filter(pk=job.union_id).exists():
        raise Http404
    return job
