"""Approval as a task: the approval is recorded at once, a worker freezes the payees, the bank files wait.

The laptop tests run the freeze in-process; the PostgreSQL tests send it to a real Celery worker,
kill that worker mid-freeze and run the retry.
"""

import contextlib
import csv
import io
import os
import signal
import time
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connections
from django.test import Client
from django.urls import reverse

from cases.models import Household
from hardship.models import AuditEvent, Role, Union
from hardship.workflow import ActionRefused
from programs.assistance import freeze, services
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.models import Batch, LedgerEntry, Payment
from tests.factories import user_with_role
from tests.programs.test_money import _computed, filed

F = Batch.Freeze


def _frozen(batch) -> int:
    return Payment.objects.filter(batch=batch).exclude(status=Payment.Status.PENDING).count()


@pytest.mark.django_db
def test_a_large_batch_is_approved_at_once_and_its_bank_files_wait_for_the_freeze(fund, tree, grassroots, centre,
                                                                                 approver, settings):  # fmt: skip
    settings.FREEZE_INLINE_MAX_PAYMENTS = 0  # every batch is "large"
    batch = _computed(fund, tree, grassroots, centre)
    total = approval_figures(batch=batch).total

    batch = services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=total)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED and batch.freeze in (F.QUEUED, F.FAILED)
    assert LedgerEntry.objects.get(batch=batch, kind="payment").amount == -total
    assert _frozen(batch) == 0
    with pytest.raises(ActionRefused, match="锁定"):
        services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")

    freeze.batch_freeze(batch_id=batch.pk)

    batch.refresh_from_db()
    assert batch.freeze == F.DONE and batch.freeze_done == Payment.objects.filter(batch=batch).count()
    content, _type = services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    assert {row[2] for row in list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]} == {"6222021234567890128"}
    assert AuditEvent.objects.filter(verb="batch.freeze", target_id=str(batch.pk)).exists()


@pytest.mark.django_db
def test_a_freeze_failing_midway_freezes_nothing_and_the_retry_completes_it(fund, tree, grassroots, centre, approver,
                                                                           settings, monkeypatch):  # fmt: skip
    settings.FREEZE_INLINE_MAX_PAYMENTS = 0
    for _ in range(3):
        filed(grassroots, tree["company"])
    batch = _computed(fund, tree, grassroots, centre)
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    real, calls = freeze._freeze_range, []

    def fails_on_the_second_range(batch_id, lo, hi):
        calls.append(lo)
        if len(calls) == 2:
            raise DatabaseError("connection lost")
        return real(batch_id, lo, hi)

    monkeypatch.setattr(freeze, "_freeze_range", fails_on_the_second_range)

    with pytest.raises(DatabaseError):
        freeze.batch_freeze(batch_id=batch.pk, chunk_size=2)

    batch.refresh_from_db()
    assert batch.freeze == F.FAILED and "connection lost" in batch.freeze_error
    assert _frozen(batch) == 0  # the first range's update was rolled back with the rest
    assert batch.status == Batch.Status.APPROVED

    monkeypatch.setattr(freeze, "_freeze_range", real)
    services.batch_freeze_retry(actor=centre, batch_id=batch.pk)
    freeze.batch_freeze(batch_id=batch.pk, chunk_size=2)

    batch.refresh_from_db()
    assert batch.freeze == F.DONE and _frozen(batch) == Payment.objects.filter(batch=batch).count() > 2
    with pytest.raises(ActionRefused, match="已锁定"):
        services.batch_freeze_retry(actor=centre, batch_id=batch.pk)


@pytest.mark.django_db
def test_the_page_shows_the_freeze_and_offers_the_retry_only_when_it_failed(fund, tree, grassroots, centre, approver,
                                                                           settings):  # fmt: skip
    settings.FREEZE_INLINE_MAX_PAYMENTS = 0
    batch = _computed(fund, tree, grassroots, centre)
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    Batch.objects.filter(pk=batch.pk).update(freeze=F.RUNNING)
    client = Client()
    client.force_login(approver)

    running = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()
    Batch.objects.filter(pk=batch.pk).update(freeze=F.FAILED, freeze_error="OperationalError")
    failed = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()
    progress = client.get(reverse("programs:batch_progress", args=[batch.pk])).json()

    assert "正在锁定收款人" in running and 'data-action="freeze_retry"' not in running
    assert 'data-testid="bank-xlsx"' not in running
    assert "收款人锁定失败" in failed and 'data-action="freeze_retry"' in failed
    assert progress["freeze"] == "failed" and progress["freeze_total"] == Payment.objects.filter(batch=batch).count()


@pytest.mark.django_db
def test_a_small_batch_is_frozen_inside_its_approval(fund, tree, grassroots, centre, approver):
    batch = _computed(fund, tree, grassroots, centre)

    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)

    batch.refresh_from_db()
    assert batch.freeze == F.DONE and _frozen(batch) == Payment.objects.filter(batch=batch).count()


# On PostgreSQL with a real worker ------------------------------------------------------------------


@pytest.fixture
def city(worker_factory, settings):
    settings.FREEZE_INLINE_MAX_PAYMENTS = 0
    call_command("seed_demo", stdout=io.StringIO())
    call_command("generate_households", count=300, seed=11, stdout=io.StringIO())
    city = Union.objects.get(code="WX")
    approver = user_with_role(Role.FUND_APPROVER, city)
    services.budget_allocate(actor=approver, union=city, year=2026, amount=Decimal("100000000"), memo="预算")
    batch = Batch.objects.create(union=city, period="2026-Q4", created_by=None)
    batch_compute(batch_id=batch.pk)
    return {"union": city, "approver": approver, "batch": Batch.objects.get(pk=batch.pk)}


def _on_queue(monkeypatch, queue):
    """The freeze task the approval sends goes to the test's own worker (a shared Redis may serve others)."""
    from programs.assistance import tasks

    task = tasks.freeze_batch

    class OnThisQueue:
        name = task.name

        def apply_async(self, **options):
            return task.apply_async(queue=queue, **options)

    monkeypatch.setattr(services, "freeze_batch", OnThisQueue())


def _wait_freeze(batch, states, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.freeze in states:
            return batch
        time.sleep(0.2)
    pytest.fail(f"freeze stayed {batch.freeze} (wanted {states})")


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_the_approval_answers_at_once_and_the_worker_makes_the_bank_files_available(city, worker_factory,
                                                                                   monkeypatch):  # fmt: skip
    _proc, queue = worker_factory(FREEZE_CHUNK_IDS=50)
    _on_queue(monkeypatch, queue)
    batch, client = city["batch"], Client()
    client.force_login(city["approver"])
    total = approval_figures(batch=batch).total

    started = time.monotonic()
    response = client.post(reverse("programs:batch_approve", args=[batch.pk]),
                           {"confirmed_total": str(total), "checked": "on"})  # fmt: skip
    request_s = time.monotonic() - started

    assert response.status_code == 302 and request_s < 5
    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED
    assert LedgerEntry.objects.filter(batch=batch, kind="payment").exists()
    batch = _wait_freeze(batch, {F.DONE})
    page = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()
    assert 'data-testid="bank-xlsx"' in page
    assert not Payment.objects.filter(batch=batch, status=Payment.Status.PENDING).exists()
    assert not Payment.objects.filter(batch=batch, card_number="").exclude(household__bank_card="").exists()


@contextlib.contextmanager
def _payment_held(payment):
    """From a connection of its own, a row lock on one payment: the freeze waits there until the block ends."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM programs_payment WHERE id = %s FOR UPDATE", [payment.pk])
        yield
    finally:
        other.rollback()
        other.close()


def _wait_for_a_waiting_update(timeout=60):
    watcher = connections.create_connection("default")
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with watcher.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'transactionid' AND NOT granted")
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
        pytest.fail("the freeze never reached the held payment")
    finally:
        watcher.close()


@pytest.mark.postgres
@pytest.mark.celery_worker
def test_a_worker_killed_mid_freeze_leaves_nothing_frozen_and_the_retry_completes_it(city, worker_factory,
                                                                                    monkeypatch, settings):  # fmt: skip
    proc, queue = worker_factory(FREEZE_CHUNK_IDS=20)
    _on_queue(monkeypatch, queue)
    batch, approver = city["batch"], city["approver"]
    payments = Payment.objects.filter(batch=batch).order_by("id")
    middle = payments[payments.count() // 2]

    with _payment_held(middle):
        services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
        _wait_for_a_waiting_update()
        batch.refresh_from_db()
        assert batch.freeze == F.RUNNING and 0 < batch.freeze_done < batch.freeze_total  # progress seen mid-way
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)

    batch.refresh_from_db()
    assert batch.status == Batch.Status.APPROVED and batch.freeze == F.RUNNING  # stuck, for now
    assert not Payment.objects.filter(batch=batch).exclude(status=Payment.Status.PENDING).exists()
    assert not Payment.objects.filter(batch=batch).exclude(payee_name="").exists()  # never half-frozen
    with pytest.raises(ActionRefused):
        services.batch_freeze_retry(actor=approver, batch_id=batch.pk)  # not stale yet

    settings.BATCH_STALE_SECONDS = 1
    time.sleep(1.5)
    _proc2, queue2 = worker_factory()
    _on_queue(monkeypatch, queue2)
    services.batch_freeze_retry(actor=approver, batch_id=batch.pk)

    batch = _wait_freeze(batch, {F.DONE})
    assert batch.freeze_done == payments.count()
    assert not Payment.objects.filter(batch=batch, status=Payment.Status.PENDING).exists()
    assert Household.objects.filter(pk=middle.household_id).values_list("head_name", flat=True)[0] == (
        Payment.objects.get(pk=middle.pk).payee_name
    )
