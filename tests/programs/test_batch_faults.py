"""The batch on real PostgreSQL, Redis and Celery workers: twice, at once, and killed mid-run.

Afterwards there is exactly one entitlement per (household, program, period) and the
ledger's payment entries match the payments.
"""

import contextlib
import io
import os
import signal
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connections
from django.db.models import Count, Sum
from django.utils import timezone

from cases.models import Household, Status, Tier
from hardship.models import Role, Union
from programs.assistance import services
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_release_lock, due_programs
from programs.assistance.models import Batch, Entitlement, LedgerEntry, Payment
from programs.assistance.periods import parse_quarter
from programs.assistance.tasks import compute_batch
from tests.factories import user_with_role

pytestmark = [pytest.mark.postgres, pytest.mark.celery_worker]


@pytest.fixture
def city(worker_factory):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("generate_households", count=400, seed=7, stdout=io.StringIO())
    return Union.objects.get(code="WX")


def _new_batch(city, period="2026-Q4"):
    return Batch.objects.create(union=city, period=period, created_by=None)


def _wait(batch, statuses, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status in statuses:
            return batch
        time.sleep(0.2)
    pytest.fail(f"batch stayed {batch.status} (wanted {statuses})")


@contextlib.contextmanager
def _held_at_household(batch, household):
    """From a connection of its own, an uncommitted entitlement of ``household`` for every program
    due: the batch's insert for that household's id range waits on the unique key until the block
    ends, so the run is held mid-way (earlier ranges done, later ones not) however fast it goes."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            for program, key in due_programs(batch.union, parse_quarter(batch.period)):
                cursor.execute(
                    "INSERT INTO programs_entitlement (household_id, program_id, period_key, batch_id, amount, tier, "
                    "union_id, detail, awaiting_payment, failed_card, created_at) "
                    "VALUES (%s, %s, %s, %s, 1, %s, %s, '', false, '', %s)",
                    [household.pk, program.pk, key, batch.pk, household.tier, household.union_id, timezone.now()],
                )
        yield
    finally:
        other.rollback()
        other.close()


def _wait_for_a_waiting_insert(timeout=60):
    watcher = connections.create_connection("default")
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
        pytest.fail("the batch never reached the held household")
    finally:
        watcher.close()


def _assert_one_per_key(batch):
    duplicates = (Entitlement.objects.values("household_id", "program_id", "period_key")
                  .annotate(n=Count("id")).filter(n__gt=1))  # fmt: skip
    assert not duplicates.exists()
    live = Payment.objects.exclude(status__in=["failed", "cancelled"]).values("entitlement_id").annotate(n=Count("id"))
    assert not live.filter(n__gt=1).exists()
    assert Entitlement.objects.filter(batch=batch).count() > 100


def _assert_ledger_matches(city, batch):
    approver = user_with_role(Role.FUND_APPROVER, city, username=f"approver{batch.pk}")
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    spent = -(LedgerEntry.objects.filter(kind="payment").aggregate(t=Sum("amount"))["t"] or Decimal("0"))
    paid = Payment.objects.filter(status="approved").aggregate(t=Sum("amount"))["t"]
    assert spent == paid > 0


def test_the_batch_run_twice_on_a_worker_gives_the_same_entitlements(city, worker_factory):
    _proc, queue = worker_factory()
    batch = _new_batch(city)

    first = compute_batch.apply_async(args=[batch.pk], queue=queue).get(timeout=120)
    second = compute_batch.apply_async(args=[batch.pk], queue=queue).get(timeout=120)

    assert first["created"] > 0 and second["created"] == 0
    assert first["total_amount"] == second["total_amount"]
    _assert_one_per_key(batch)
    _assert_ledger_matches(city, _wait(batch, {"computed"}))


def test_the_batch_started_twice_at_once_on_two_workers(city, worker_factory):
    (_p1, q1), (_p2, q2) = worker_factory(BATCH_CHUNK_IDS=20), worker_factory(BATCH_CHUNK_IDS=20)
    batch = _new_batch(city)

    results = [compute_batch.apply_async(args=[batch.pk], queue=q) for q in (q1, q2)]
    outcomes = [r.get(timeout=180) for r in results]

    # One worker held the lock and computed; the other found it busy (or ran after it and added nothing).
    assert sum(1 for o in outcomes if o and o["created"] > 0) == 1
    _assert_one_per_key(batch)
    _assert_ledger_matches(city, _wait(batch, {"computed"}))


def test_a_worker_killed_mid_batch_leaves_a_lock_that_is_released_and_the_rerun_completes(city, worker_factory,
                                                                                         settings):  # fmt: skip
    proc, queue = worker_factory(BATCH_CHUNK_IDS=2)
    batch = _new_batch(city)
    filed = Household.objects.filter(status=Status.FILED).exclude(tier=Tier.NONE).order_by("id")
    middle = filed[filed.count() // 2]
    with _held_at_household(batch, middle):
        compute_batch.apply_async(args=[batch.pk], queue=queue)
        _wait_for_a_waiting_insert()
        os.kill(proc.pid, signal.SIGKILL)  # while it waits at the middle household
        proc.wait(timeout=10)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.RUNNING and batch.lock_token  # stuck, for now
    assert 0 < batch.done_chunks < batch.total_chunks
    partial = Entitlement.objects.filter(batch=batch).count()

    settings.BATCH_STALE_SECONDS = 1
    time.sleep(1.5)
    staff = user_with_role(Role.CENTRE_STAFF, city)
    assert batch_release_lock(actor=staff, batch_id=batch.pk)
    _proc, queue2 = worker_factory()
    result = compute_batch.apply_async(args=[batch.pk], queue=queue2).get(timeout=180)

    batch = _wait(batch, {"computed"})
    assert result["created"] == Entitlement.objects.filter(batch=batch).count() - partial
    _assert_one_per_key(batch)
    _assert_ledger_matches(city, batch)
