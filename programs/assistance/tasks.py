"""Thin tasks: take ids, call a service."""

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from hardship.services import audit_record
from hardship.tasks import enqueue

from .batch import BatchBusy, batch_compute
from .models import Batch, Program
from .periods import quarter_of


@shared_task(acks_late=True)
def compute_batch(batch_id: int) -> dict | None:
    try:
        return batch_compute(batch_id=batch_id).as_dict()
    except BatchBusy:
        return None  # another worker holds the lock and will finish the same work


@shared_task
def start_quarter_batches() -> list[int]:
    """Beat, at the start of each quarter: one batch per fund with active periodic programs."""
    quarter = quarter_of(timezone.localdate())
    started = []
    for union_id in Program.objects.filter(is_active=True).values_list("fund_union_id", flat=True).distinct():
        try:
            with transaction.atomic():
                batch = Batch.objects.create(union_id=union_id, period=quarter.key)
                audit_record(actor=None, verb="batch.start", target=batch, union=batch.union)
        except IntegrityError:
            continue  # already started by staff
        started.append(batch.pk)
        enqueue(compute_batch, batch.pk)  # not queued: the batch page shows it 待计算, with 重新计算
    return started
