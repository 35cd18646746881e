"""The second half of a batch's approval: freeze each payee's name, bank and card (the worker's move).

The approval itself (budget checked under the fund account's lock, the ledger row, 已审批) is
recorded at once in the request (services.batch_approve); this task then copies the payee of
every pending payment from the household file, set-based, by id ranges — all in **one
transaction**, so a batch is frozen entirely or not at all: a run that fails or whose worker is
killed leaves every payment as it was (approved, not frozen), and 重新锁定收款人 runs it again.
Two runs at once are serialised by an advisory lock; the second finds the work done.

The progress (``freeze_done``) is written from a connection of its own, so the page sees it while
the freezing transaction is still open (PostgreSQL; on the laptop's SQLite it jumps at the end).
"""

import logging

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Max, Min
from django.utils import timezone

from cases.models import Household
from hardship.services import audit_record

from .models import Batch, Payment

log = logging.getLogger(__name__)

F = Batch.Freeze
# pg_advisory_xact_lock's first key: "freezing a batch" (the second key is the batch id).
ADVISORY_FREEZE = 7140


def freeze_chunk_ids() -> int:
    return settings.FREEZE_CHUNK_IDS


class _Progress:
    """``freeze_done`` of one batch, written outside the freezing transaction (PostgreSQL only)."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def report(self, done: int) -> None:
        if self.side is None:
            return
        with self.side.cursor() as cursor:
            sql = f"UPDATE {Batch._meta.db_table} SET freeze_done = %s WHERE id = %s"  # noqa: S608 — the model's table
            cursor.execute(sql, [done, self.batch_id])

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _claim(batch_id: int) -> bool:
    """Mark the run started (committed at once, so the page and the retry guard see it)."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if batch.status != Batch.Status.APPROVED or batch.freeze == F.DONE:
            return False
        batch.freeze, batch.freeze_started_at, batch.freeze_error = F.RUNNING, timezone.now(), ""
        batch.save(update_fields=["freeze", "freeze_started_at", "freeze_error"])
    return True


_PAYMENT, _HOUSEHOLD = Payment._meta.db_table, Household._meta.db_table
# Table names from the models, values as parameters.
_FREEZE_SQL = (
    f"UPDATE {_PAYMENT} AS p SET status = %s, payee_name = h.head_name, bank_name = h.bank_name, "  # noqa: S608
    f"card_number = h.bank_card FROM {_HOUSEHOLD} h WHERE h.id = p.household_id AND p.batch_id = %s "
    "AND p.status = %s AND p.id >= %s AND p.id < %s"
)


def _freeze_range(batch_id: int, lo: int, hi: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_FREEZE_SQL, [Payment.Status.APPROVED, batch_id, Payment.Status.PENDING, lo, hi])
        return cursor.rowcount


def _freeze_payments(batch_id: int, chunk: int, report) -> int:
    pending = Payment.objects.filter(batch_id=batch_id, status=Payment.Status.PENDING)
    bounds = pending.aggregate(lo=Min("id"), hi=Max("id"))
    frozen = 0
    if bounds["lo"] is not None:
        for lo in range(bounds["lo"], bounds["hi"] + 1, chunk):
            frozen += _freeze_range(batch_id, lo, lo + chunk)
            report(frozen)
    return frozen


def _done(batch: Batch, frozen: int, *, actor, request=None) -> None:
    old = batch.freeze
    batch.freeze, batch.frozen_at, batch.freeze_done = F.DONE, timezone.now(), frozen
    batch.save(update_fields=["freeze", "frozen_at", "freeze_done"])
    audit_record(actor=actor, verb="batch.freeze", target=batch, union=batch.union, request=request,
                 changes={"freeze": (old, F.DONE), "payments": (None, frozen)})  # fmt: skip


def batch_freeze_now(*, batch: Batch, actor, request=None) -> int:
    """A small batch (up to FREEZE_INLINE_MAX_PAYMENTS) is frozen inside its approval's transaction
    (``batch`` locked by the caller): the same statements, no wait for a worker."""
    frozen = _freeze_payments(batch.pk, freeze_chunk_ids(), lambda done: None)
    _done(batch, frozen, actor=actor, request=request)
    return frozen


def batch_freeze(*, batch_id: int, chunk_size: int | None = None) -> int:
    """Freeze the payees of an approved batch; the bank files become available. Idempotent.

    Returns how many payments it froze (0 if another run did it already)."""
    if not _claim(batch_id):
        return 0
    chunk = chunk_size or freeze_chunk_ids()
    progress = _Progress(batch_id)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_FREEZE, batch_id])
            if Batch.objects.filter(pk=batch_id, freeze=F.DONE).exists():
                return 0  # a run we waited for did it
            frozen = _freeze_payments(batch_id, chunk, progress.report)
            batch = Batch.objects.select_for_update(of=("self",)).select_related("union").get(pk=batch_id)
            _done(batch, frozen, actor=None)
    except Exception as exc:
        log.exception("freezing batch %s failed", batch_id)
        _failed(batch_id, exc)
        raise
    finally:
        progress.close()
    return frozen


def _failed(batch_id: int, exc: Exception) -> None:
    Batch.objects.filter(pk=batch_id).exclude(freeze=F.DONE).update(
        freeze=F.FAILED, freeze_done=0, freeze_error=f"{type(exc).__name__}: {exc}"[:2000]
    )
