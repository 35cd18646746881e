"""Writes shared by every app: the audit log, the union tree and role assignments."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .masking import mask_value
from .models import AuditEvent, CalendarDay, Notification, Role, RoleAssignment, SocialOrganisation, Union, User


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
