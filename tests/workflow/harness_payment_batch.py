"""How the consistency test drives the payment batch: one batch per state (a guard splits some), the personas,
the calls.

The fund is 惠山区's (own), under 无锡市 (parent), beside 滨湖区 (sibling). Each batch has a period of its own
(one live batch per fund and period); the computed ones are really computed from one filed 特困 household.
"""

import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Household, Status
from hardship.identity import make_id_number
from hardship.models import Role, RoleAssignment, User
from programs.assistance import services as svc
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute, batch_release_lock
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, LedgerEntry, Payment, Program
from programs.assistance.periods import quarter_of
from tests.factories import user_with_role

R = Role
ROLES = [R.CENTRE_STAFF, R.FUND_APPROVER, R.DISCIPLINE_OBSERVER, R.SYSTEM_ADMIN, R.GRASSROOTS_STAFF]
BANK = "中国工商银行"


def build(tree) -> tuple[list[tuple[str, Batch]], dict[str, User]]:
    fund = tree["huishan"]
    seed_programs(union=fund)
    Program.objects.filter(fund_union=fund).update(is_active=True)
    places = {"own": fund, "parent": tree["city"], "sibling": tree["binhu"]}
    personas = {f"{role}@{where}": user_with_role(role, union) for role in ROLES for where, union in places.items()}
    # The duty case: who started the batches is also a fund approver there.
    starter = personas["starter"] = user_with_role(R.CENTRE_STAFF, fund)
    RoleAssignment.objects.create(user=starter, union=fund, role=R.FUND_APPROVER)
    approver = user_with_role(R.FUND_APPROVER, fund)
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}  # fresh role caches
    Household.objects.create(
        union=tree["company"], status=Status.FILED, tier="extreme", head_name="钱建国", phone="13905100002",
        head_id_number=make_id_number("320206", date(1970, 5, 1), 881), address="惠山区堰桥街道 1 号",
        main_cause="serious_illness", bank_name=BANK, bank_card="6222021234567890128",
    )  # fmt: skip
    for year in (2023, 2025, 2026):  # 2024 has no budget: its computed batch cannot be approved
        svc.budget_allocate(actor=approver, union=fund, year=year, amount=Decimal("100000"), memo="预算")

    def new(label, period, *steps, **update):
        batch = Batch.objects.create(union=fund, period=period, created_by=starter)
        for step in steps:
            step(batch)
        if update:
            Batch.objects.filter(pk=batch.pk).update(**update)
        return label, Batch.objects.get(pk=batch.pk)

    def compute(b):
        batch_compute(batch_id=b.pk)

    def approve(b):
        svc.batch_approve(actor=approver, batch_id=b.pk, confirmed_total=approval_figures(batch=b).total)

    def export(b):
        svc.bank_file(actor=approver, batch_id=b.pk, bank=BANK, fmt="csv")

    def reconcile(b):
        svc.batch_reconcile(actor=approver, batch_id=b.pk, upload=_result_file(b))

    now = timezone.now()
    batches = [
        new("computed, budget short", "2024-Q1", compute),
        new("pending", "2024-Q2"),
        new("pending, period not begun", quarter_of(timezone.localdate()).next().key),
        new("running, lock fresh", "2024-Q3", status=Batch.Status.RUNNING, lock_token="x", locked_at=now),
        new(
            "running, lock stale",
            "2024-Q4",
            status=Batch.Status.RUNNING,
            lock_token="x",
            locked_at=now - timedelta(hours=2),
        ),
        new("failed", "2025-Q1", status=Batch.Status.FAILED, error="OperationalError"),
        new("computed", "2025-Q2", compute),
        new("approved", "2025-Q3", compute, approve),
        # Approved, the payees not yet frozen by the worker: bank files wait, 重新锁定收款人 when it failed or died.
        new("approved, freezing", "2023-Q1", compute, approve, freeze=Batch.Freeze.RUNNING, freeze_started_at=now),
        new("approved, freeze failed", "2023-Q2", compute, approve, freeze=Batch.Freeze.FAILED, freeze_error="X"),
        new(
            "approved, freeze stale",
            "2023-Q3",
            compute,
            approve,
            freeze=Batch.Freeze.QUEUED,
            freeze_started_at=now - timedelta(hours=2),
        ),
        new("rejected", "2025-Q4", compute, lambda b: svc.batch_reject(actor=approver, batch_id=b.pk, reason="有误")),
        new("exported", "2026-Q1", compute, approve, export),
        new("reconciled", "2026-Q2", compute, approve, export, reconcile),
    ]
    assert LedgerEntry.objects.filter(kind="payment").exists()
    return batches, personas


def _result_file(batch: Batch) -> SimpleUploadedFile:
    # Never empty (a file with only its header is refused before the workflow is asked).
    payments = [f"{p.reference},成功," for p in Payment.objects.filter(batch=batch)] or ["P00000-000000000,成功,"]
    rows = ["参考号,结果,原因", *payments]
    return SimpleUploadedFile("result.csv", "\n".join(rows).encode("utf-8"), content_type="text/csv")


# What the batch page offers (its rendered HTML).

_ACTION = re.compile(r'data-action="(\w+)"')


def offered(batch: Batch, user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("programs:batch_detail", args=[batch.pk]))
    if response.status_code != 200:
        return set()
    body = response.content.decode()
    actions = set(_ACTION.findall(body))
    if 'data-testid="bank-xlsx"' in body:
        actions.add("bank_file")
    if reverse("programs:batch_reconcile", args=[batch.pk]) in body:
        actions.add("reconcile")
    return actions


# How each action's service is called (valid input, so only the workflow can refuse).

CALLS = {
    "recompute": lambda b, u: svc.batch_recompute(actor=u, batch_id=b.pk),
    "release_lock": lambda b, u: batch_release_lock(actor=u, batch_id=b.pk),
    "approve": lambda b, u: svc.batch_approve(actor=u, batch_id=b.pk, confirmed_total=approval_figures(batch=b).total),
    "reject": lambda b, u: svc.batch_reject(actor=u, batch_id=b.pk, reason="金额有误"),
    "freeze_retry": lambda b, u: svc.batch_freeze_retry(actor=u, batch_id=b.pk),
    "bank_file": lambda b, u: svc.bank_file(actor=u, batch_id=b.pk, bank=BANK, fmt="csv"),
    "reconcile": lambda b, u: svc.batch_reconcile(actor=u, batch_id=b.pk, upload=_result_file(b)),
}
