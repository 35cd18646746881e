"""Writes shared by every app: the audit log, the union tree and role assignments, export jobs."""

import logging
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exports import export_writer
from .masking import mask_value
from .models import (
    AuditEvent,
    CalendarDay,
    ExportJob,
    Notification,
    Role,
    RoleAssignment,
    SocialOrganisation,
    Union,
    User,
)
from .tasks import enqueue, run_export

log = logging.getLogger(__name__)


def _client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: User | None,
    verb: str,
    target: models.Model | None = None,
    union: Union | None = None,
    changes: dict[str, tuple[Any, Any]] | None = None,
    request=None,
) -> AuditEvent:
    """Append one audit event. Every service calls this inside its transaction.

    ``changes`` maps a field name to (old, new); values of personal-data fields
    are masked before they are stored, so the log never holds them in clear.
    """
    masked = {
        field: [_jsonable(mask_value(field, old)), _jsonable(mask_value(field, new))]
        for field, (old, new) in (changes or {}).items()
    }
    if union is None and target is not None:
        union = getattr(target, "union", None) if not isinstance(target, Union) else target
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        union=union,
        changes=masked,
        ip_address=_client_ip(request),
    )


@dataclass(frozen=True)
class AuditRow:
    """One target of a set-based action: its type ("cases.household"), id, name, union and changes."""

    target_type: str
    target_id: str
    target_repr: str
    union_id: int | None
    changes: dict[str, tuple[Any, Any]]


def audit_record_many(*, actor: User | None, verb: str, rows: Iterable[AuditRow], request=None,
                      batch_size: int = 2000) -> int:  # fmt: skip
    """``audit_record`` for a set-based action: one event per row, written in bulk (no query per row).

    A bulk re-tier writes each household's own history entry this way, inside its transaction.
    Returns the number of events written.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    ip = _client_ip(request)
    written, batch = 0, []
    for row in rows:
        batch.append(AuditEvent(
            actor=actor, verb=verb, target_type=row.target_type, target_id=row.target_id,
            target_repr=row.target_repr[:200], union_id=row.union_id, ip_address=ip,
            changes={f: [_jsonable(mask_value(f, old)), _jsonable(mask_value(f, new))]
                     for f, (old, new) in row.changes.items()},
        ))  # fmt: skip
        if len(batch) == batch_size:
            AuditEvent.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    AuditEvent.objects.bulk_create(batch)
    return written + len(batch)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@transaction.atomic
def union_create(
    *, actor: User | None, name: str, code: str, level: str, parent: Union | None = None, **fields: Any
) -> Union:
    """Add a union under ``parent`` (or a new root) and give it its materialised path."""
    union = Union.objects.create(
        name=name, code=code, level=level, parent=parent, path=f"tmp-{code}", depth=0, **fields
    )
    union.path = f"{parent.path if parent else ''}{union.pk}/"
    union.depth = parent.depth + 1 if parent else 0
    union.save(update_fields=["path", "depth"])
    audit_record(actor=actor, verb="union.create", target=union, union=union, changes={"name": (None, name)})
    return union


@transaction.atomic
def role_assign(
    *,
    actor: User | None,
    user: User,
    union: Union,
    role: Role | str,
    organisation: SocialOrganisation | None = None,
) -> RoleAssignment:
    """Give ``user`` a role at ``union``; a third-party reviewer names their organisation."""
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, union=union, role=role, defaults={"organisation": organisation}
    )
    if created:
        audit_record(
            actor=actor,
            verb="role.assign",
            target=user,
            union=union,
            changes={"role": (None, str(role))},
        )
    return assignment


def notifications_mark_read(*, user: User) -> int:
    """The user has seen their notifications: the bell's count goes back to zero."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def calendar_day_save(
    *, actor: User | None, day_id: int | None, day, kind: str, name: str, request=None
) -> CalendarDay:
    """Enter or correct one day of the holiday calendar (the system admin, from the notice); audited."""
    if day_id is None:
        entry = CalendarDay.objects.create(day=day, kind=kind, name=name)
        changes = {"day": (None, day), "kind": (None, kind), "name": (None, name)}
        audit_record(actor=actor, verb="calendar.create", target=entry, changes=changes, request=request)
        return entry
    entry = CalendarDay.objects.select_for_update().get(pk=day_id)
    new = {"day": day, "kind": kind, "name": name}
    changes = {key: (getattr(entry, key), value) for key, value in new.items() if getattr(entry, key) != value}
    if changes:
        for key, (_old, value) in changes.items():
            setattr(entry, key, value)
        entry.save(update_fields=list(changes))
        audit_record(actor=actor, verb="calendar.change", target=entry, changes=changes, request=request)
    return entry


@transaction.atomic
def calendar_day_delete(*, actor: User | None, day_id: int, request=None) -> None:
    """Remove a day entered by mistake; the audit event keeps what it was."""
    entry = CalendarDay.objects.select_for_update().get(pk=day_id)
    changes = {"day": (entry.day, None), "kind": (entry.kind, None), "name": (entry.name, None)}
    audit_record(actor=actor, verb="calendar.delete", target=entry, changes=changes, request=request)
    entry.delete()


# Export jobs (hardship.exports): a file written by a worker, downloaded by its owner for 24 hours.

PROGRESS_EVERY = 5000  # rows between two progress writes


def export_start(*, owner: User, kind: str, title: str, params: dict, union: Union, roles: Iterable[str],
                 rows_total: int, filename: str, content_type: str) -> ExportJob:  # fmt: skip
    """Queue the writing of a large file for ``owner``; 「我的导出」 shows its progress, then offers it.

    The caller has already checked that the owner may read what the file holds (and audited the export)."""
    job = ExportJob.objects.create(
        owner=owner, kind=kind, title=title[:200], params=params, union=union, roles=list(roles),
        rows_total=rows_total, filename=filename[:200], content_type=content_type,
        expires_at=timezone.now() + timedelta(hours=settings.EXPORT_KEEP_HOURS),
    )  # fmt: skip
    transaction.on_commit(lambda: _enqueue_export(job))
    return job


def _enqueue_export(job: ExportJob) -> None:
    if not enqueue(run_export, job.pk):
        note = str(_("后台任务服务（Redis）暂时连不上，请稍后重新导出。"))
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.QUEUED).update(status=ExportJob.Status.FAILED,
                                                                                   error=note)  # fmt: skip


def export_run(*, job_id: int) -> ExportJob | None:
    """The worker's part: write the file into the storage, streamed; a second run of a written job does nothing."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.QUEUED).update(
        status=ExportJob.Status.RUNNING)  # fmt: skip
    if not claimed:
        return None
    job = ExportJob.objects.get(pk=job_id)
    last = [0]

    def progress(done: int) -> None:
        if done - last[0] >= PROGRESS_EVERY:
            last[0] = done
            ExportJob.objects.filter(pk=job_id).update(rows_done=done)

    try:
        with tempfile.TemporaryFile() as out:
            rows = export_writer(job.kind)(job, out, progress)
            out.seek(0)
            stored = default_storage.save(f"exports/{timezone.localdate():%Y%m%d}/{uuid.uuid4().hex}", File(out))
    except Exception as exc:
        log.exception("export %s failed", job_id)
        job.status, job.error, job.finished_at = ExportJob.Status.FAILED, f"{type(exc).__name__}: {exc}"[:2000], \
            timezone.now()  # fmt: skip
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    job.file.name, job.status, job.rows_done, job.finished_at = stored, ExportJob.Status.DONE, rows, timezone.now()
    job.rows_total = max(job.rows_total, rows)
    job.save(update_fields=["file", "status", "rows_done", "rows_total", "finished_at"])
    return job


def export_open(*, actor: User, job: ExportJob, request=None):
    """The owner downloads the file (checked by the selector): an audit event each time; returns the open file."""
    audit_record(actor=actor, verb="export.download", union=job.union, request=request,
                 changes={"file": (None, job.title), "file_rows": (None, job.rows_done)})  # fmt: skip
    return job.file.open("rb")


def exports_purge_expired(*, now=None) -> int:
    """Beat: delete the files (and rows) of exports past their 24 hours."""
    expired = ExportJob.objects.filter(expires_at__lte=now or timezone.now())
    count = 0
    for job in expired.iterator():
        if job.file:
            job.file.delete(save=False)
        job.delete()
        count += 1
    return count
