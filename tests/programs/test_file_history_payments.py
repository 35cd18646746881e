"""The file's 变更记录 lists the household's payments from the ledger — those the portal paid and those brought
in from the old register — newest first, read in one query (the file page has a budget of 10)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.history import file_history
from hardship.models import Role
from programs.assistance.models import Entitlement, Program
from programs.history import payment_entries
from tests.factories import user_with_role

from .recovery_world import paid_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(tree):
    fund = tree["huishan"]
    centre = user_with_role(Role.CENTRE_STAFF, fund, username="qian_centre", full_name="钱中心")
    approver = user_with_role(Role.FUND_APPROVER, fund, username="zhao_fund", full_name="赵资金")
    return paid_household(union=tree["company"], fund=fund, starter=centre, approver=approver), centre


def _past_payment(household, *, days_ago: int) -> Entitlement:
    """A payment made before the portal (as the 历史发放 import records it: no batch, its import named)."""
    from cases.register.models import ImportStage, RegisterImport

    stage = RegisterImport.objects.create(union=household.union, kind="payments", status=ImportStage.COMMITTED,
                                          file_name="历史发放.xlsx", content_hash="x" * 64,
                                          uploaded_by=user_with_role(Role.CENTRE_STAFF, household.union))  # fmt: skip
    entitlement = Entitlement.objects.create(
        household=household, program=Program.objects.filter(fund_union__isnull=False).first(), period_key="2024-Q4",
        amount="350.00", detail="历史发放（第 2 行）", register_import=stage,
        tier=household.tier, union=household.union, awaiting_payment=False,
    )  # fmt: skip
    Entitlement.objects.filter(pk=entitlement.pk).update(created_at=entitlement.created_at - timedelta(days=days_ago))
    return entitlement


def test_the_files_history_lists_paid_and_imported_payments_newest_first_in_one_query(paid, client):
    world, centre = paid
    household = world.household
    _past_payment(household, days_ago=400)

    with CaptureQueriesContext(connection) as queries:
        entries = payment_entries(household, 50)
    assert len(queries) == 1

    # Each payment of the approved batch, then the older imported one, each with its program, period and amount.
    assert [e.verb for e in entries] == ["payment.approved"] * len(world.payments) + ["payment.imported"]
    newest_first = sorted(world.payments, key=lambda p: p.pk, reverse=True)  # one moment: the latest row first
    for entry, payment in zip(entries, newest_first, strict=False):
        shown = entry.changes["payment"][1]
        assert payment.entitlement.program.name in shown and payment.entitlement.period_key in shown
        assert f"{payment.amount} 元" in shown
    assert entries[-1].changes["payment"][1].endswith("2024-Q4 350.00 元（历史发放（第 2 行））")
    assert entries == sorted(entries, key=lambda e: e.created_at, reverse=True)

    # The page shows them in words, among the file's own events.
    client.force_login(centre)
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "发放：已审批" in page and "发放：历史发放（存量导入）" in page
    assert len(file_history(household=household, limit=2)) == 2  # the limit holds across the sources


def test_a_file_never_filed_asks_the_ledger_nothing(tree):
    from cases.models import Household

    household = Household(union=tree["company"], filed_at=None)
    with CaptureQueriesContext(connection) as queries:
        assert payment_entries(household, 50) == []
    assert len(queries) == 0


def test_a_paid_filed_file_with_incomes_proofs_and_past_payments_opens_in_ten_queries(
    paid, client, django_assert_max_num_queries
):
    from datetime import date
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.review.models import MonthlyIncome
    from cases.services import attachment_add

    world, centre = paid
    household = world.household
    _past_payment(household, days_ago=400)
    # Fourteen months of incomes (the page shows the newest 12), two proofs.
    for n in range(14):
        MonthlyIncome.objects.create(household=household, month=date(2025 + (n // 12), n % 12 + 1, 1),
                                     per_capita_income=Decimal("1225.50") + n, recorded_by=centre)  # fmt: skip
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for name in ("收入证明.pdf", "诊断书.pdf"):
        attachment_add(actor=centre, household=household, kind="income_proof", upload=SimpleUploadedFile(name, pdf))
    url = reverse("cases:household_detail", args=[household.pk])
    client.force_login(centre)
    client.get(url)  # the session's first page pushes its expiry (then once a minute)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    page = response.content.decode()
    incomes = response.context["monthly_incomes"]
    assert [m.month for m in incomes] == [date(2026, 2, 1), date(2026, 1, 1)] + [
        date(2025, m, 1) for m in range(12, 2, -1)
    ]
    assert incomes[0].per_capita_income == Decimal("1238.50") and incomes[0].recorded_by_id == centre.pk
    assert "2026-02" in page and "1238.50" in page and "2025-02" not in page
    proofs = response.context["attachments"]
    assert [a.original_name for a in proofs] == ["收入证明.pdf", "诊断书.pdf"]
    assert proofs[0].uploaded_at.tzinfo is not None and proofs[0].size == len(pdf)
    download = reverse("cases:attachment_download", args=[household.pk, proofs[1].pk])
    assert download in page and client.get(download).status_code == 200
    assert "发放：已审批" in page and "发放：历史发放（存量导入）" in page
