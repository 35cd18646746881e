"""The batch and grant services of one shape: locked, asked of the declaration, audited; the beat calls the service."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hardship.models import AuditEvent, Role
from hardship.workflow import ActionRefused
from programs.assistance import services
from programs.assistance.batch import batch_compute, batch_release_lock
from programs.assistance.models import Batch, Grant, Program
from programs.assistance.periods import quarter_of
from programs.assistance.tasks import start_quarter_batches
from tests.factories import user_with_role
from tests.programs.test_money import filed, total_of

pytestmark = pytest.mark.django_db


def test_the_quarter_beat_starts_each_funds_batch_through_the_service_and_a_second_run_starts_none(
    fund,
    django_capture_on_commit_callbacks,
):
    # Given a fund with active programs and no batch this quarter
    quarter = quarter_of(timezone.localdate())

    # When the beat runs, twice
    with django_capture_on_commit_callbacks(execute=False) as queued:
        started = start_quarter_batches()
    again = start_quarter_batches()

    # Then one batch is started for the quarter, audited like a staff start, its computation queued
    batch = Batch.objects.get(union=fund, period=quarter.key)
    assert started == [batch.pk] and again == []
    assert AuditEvent.objects.filter(verb="batch.start", actor=None, target_id=str(batch.pk)).count() == 1
    assert len(queued) == 1


def test_a_grant_scheduled_into_a_batch_and_sent_back_by_its_rejection_is_on_the_households_history(
    fund,
    tree,
    grassroots,
    centre,
    approver,
):
    # Given an approved medical grant of a filed household
    household = filed(grassroots, tree["company"])
    grant = services.grant_apply(actor=grassroots, household=household, program=Program.objects.get(code="medical"),
                                 amount=Decimal("800"), self_paid=Decimal("1000"), reason="住院")  # fmt: skip
    services.grant_decide(actor=approver, grant_id=grant.pk, approve=True)

    # When a batch schedules it, and the batch is rejected
    batch = Batch.objects.create(union=fund, period="2026-Q3", created_by=centre)
    batch_compute(batch_id=batch.pk)
    scheduled = Grant.objects.get(pk=grant.pk).status
    services.batch_reject(actor=approver, batch_id=batch.pk, reason="金额有误")

    # Then both moves are audit events on the household, naming the batch
    assert scheduled == Grant.Status.SCHEDULED
    assert Grant.objects.get(pk=grant.pk).status == Grant.Status.APPROVED
    verbs = list(AuditEvent.objects.filter(target_id=str(household.pk), verb__startswith="grant.")
                 .order_by("id").values_list("verb", flat=True))  # fmt: skip
    assert verbs == ["grant.apply", "grant.approve", "grant.schedule", "grant.unschedule"]
    event = AuditEvent.objects.get(verb="grant.schedule")
    assert event.changes["batch"][1] == f"2026-Q3 #{batch.pk}"


def test_a_stale_lock_is_released_only_by_centre_staff_over_the_batchs_fund(fund, tree, centre):
    # Given a run that died on the city's batch
    batch = Batch.objects.create(union=fund, period="2026-Q2", status=Batch.Status.RUNNING, lock_token="x",
                                 locked_at=timezone.now() - timedelta(hours=2))  # fmt: skip
    district = user_with_role(Role.CENTRE_STAFF, tree["huishan"])

    # When a district's centre staff tries to release it, then the city's
    with pytest.raises(ActionRefused, match="没有“释放计算锁”的权限"):
        batch_release_lock(actor=district, batch_id=batch.pk)
    batch_release_lock(actor=centre, batch_id=batch.pk)

    # Then only the second released it
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.FAILED


def test_a_reconciled_batch_offers_no_bank_file_that_would_have_nothing_in_it(
    client, fund, tree, grassroots, centre, approver
):
    # Given a batch paid and reconciled in full
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    batch_compute(batch_id=batch.pk)
    services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=total_of(batch))
    services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")
    rows = ["参考号,结果"] + [f"{p.reference},成功" for p in batch.payments.all()]
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.batch_reconcile(actor=approver, batch_id=batch.pk,
                             upload=SimpleUploadedFile("r.csv", "\n".join(rows).encode()))  # fmt: skip
    client.force_login(approver)

    # When the approver opens it
    body = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()

    # Then the bank table stays, without download links (a download would be refused: no payment left to send)
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.RECONCILED
    assert 'data-testid="banks"' in body and reverse("programs:batch_bank_file", args=[batch.pk]) not in body
    with pytest.raises(ActionRefused):
        services.bank_file(actor=approver, batch_id=batch.pk, bank="中国工商银行", fmt="csv")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_recompute_waits_for_an_approval_holding_the_row_and_then_refuses_it(fund, tree, grassroots, centre, approver):
    # Given a computed batch, and an approval in progress holding its row
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    batch_compute(batch_id=batch.pk)
    services.budget_allocate(actor=approver, union=fund, year=2026, amount=Decimal("10000"), memo="预算")
    outcome, started = [], threading.Event()

    def recompute():
        started.set()
        try:
            services.batch_recompute(actor=centre, batch_id=batch.pk)
            outcome.append("queued")
        except ActionRefused as exc:
            outcome.append(str(exc))
        finally:
            connection.close()

    with transaction.atomic():
        Batch.objects.select_for_update().get(pk=batch.pk)
        thread = threading.Thread(target=recompute)
        thread.start()
        started.wait(5)
        thread.join(timeout=0.5)
        waiting = thread.is_alive()  # blocked on the row lock, not deciding on what it read before
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.APPROVED)
    thread.join(timeout=10)

    # Then it waited, and refused the approved batch instead of queueing a computation of it
    assert waiting
    assert len(outcome) == 1 and "已审批" in outcome[0] and "不能重新计算" in outcome[0]


def test_a_standard_saved_the_same_day_by_someone_else_a_moment_ago_is_refused_in_chinese(tree, monkeypatch):
    from cases.models import HardshipStandard
    from cases.services import standard_create
    from tests.cases.conftest import WUXI

    # Given a standard from 2027-01-01, and the duplicate check passing (the other save not committed yet)
    editor = user_with_role(Role.CENTRE_STAFF, tree["city"])
    HardshipStandard.objects.create(union=tree["city"], **{**WUXI, "effective_from": date(2027, 1, 1)})
    real_filter = HardshipStandard.objects.filter
    monkeypatch.setattr(HardshipStandard.objects, "filter", lambda *a, **k: real_filter(pk__in=[]))

    # When a second one for the same day is saved, then the database's constraint becomes the sentence
    with pytest.raises(ValidationError, match="已有一条标准"):
        standard_create(actor=editor, union=tree["city"], data={**WUXI, "effective_from": date(2027, 1, 1)})
