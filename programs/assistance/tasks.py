"""Thin tasks: take ids, call a service."""

from celery import shared_task
from django.utils import timezone

from .batch import BatchBusy, batch_compute
from .freeze import batch_freeze


@shared_task(acks_late=True)
def compute_batch(batch_id: int) -> dict | None:
    try:
        return batch_compute(batch_id=batch_id).as_dict()
    except BatchBusy:
        return None  # another worker holds the lock and will finish the same work


@shared_task(acks_late=True)
def freeze_batch(batch_id: int) -> int | None:
    try:
        return batch_freeze(batch_id=batch_id)
    except Exception:  # noqa: BLE001 — recorded on the batch (收款人锁定失败) and logged; 重新锁定收款人 runs it again
        return None


@shared_task
def start_quarter_batches() -> list[int]:
    """Beat, at the start of each quarter: the service starts one batch per fund (not queued: the page says 待计算)."""
    # Here, not at the top, for a cycle: services imports this module (it queues compute_batch).
    from .services import batches_start_due

    return batches_start_due(on=timezone.localdate())
