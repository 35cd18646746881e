"""Thin tasks: take ids, call a service."""

from celery import shared_task
from django.utils import timezone

from hardship.models import User

from .models import HardshipStandard
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
