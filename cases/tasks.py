"""Thin tasks: take ids, call a service."""

from celery import shared_task
from django.utils import timezone

from hardship.models import User

from .archive.services import destruction_list_draft
from .crosscheck.services import flag_history_record
from .models import HardshipStandard
from .notices.tasks import notify_yearly_reviews_due, sms_send  # noqa: F401 — Celery discovers tasks here
from .register.tasks import commit_register, stage_register  # noqa: F401 — found by autodiscover here
from .services import standard_apply


@shared_task
def apply_standard(standard_id: int, actor_id: int | None = None) -> int:
    standard = HardshipStandard.objects.select_related("union").get(pk=standard_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return standard_apply(actor=actor, standard=standard)


@shared_task
def apply_due_standards() -> int:
    """Daily (beat): put the standards that take effect today into force."""
    changed = 0
    for standard_id in HardshipStandard.objects.filter(effective_from=timezone.localdate()).values_list(
        "pk", flat=True
    ):
        changed += apply_standard(standard_id)
    return changed


@shared_task
def record_flag_history(upload_id: int, actor_id: int | None = None) -> None:
    """After a result upload: each flagged household's history entry."""
    flag_history_record(upload_id=upload_id, actor_id=actor_id)


def draft_destruction_list() -> int:
    """Yearly (beat): list the files past retention for destruction; two people then decide."""
    return len(destruction_list_draft())
