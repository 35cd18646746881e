"""Periods and money confirmations (issue 13): who is owed for a period, 补发, and what approving moves.

A household is owed for a period only if it was filed on or before the period's last day and had not
exited before its first; a monthly item (临时价格补贴) counts the months it was filed. A batch for a period
already over is a 补发 and is confirmed as such; one not yet begun cannot be computed. Runs on SQLite and,
with DATABASE_URL, on PostgreSQL (the batch's SQL is written for both).
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import HardshipStandard, Household, Status
from hardship.models import Role
from hardship.workflow import ActionRefused
from programs.assistance import services
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute, batch_plan, owed_for
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement
from programs.assistance.periods import parse_quarter, quarter_of
from tests.cases.conftest import WUXI
from tests.factories import user_with_role
from tests.programs.test_money import amounts, filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(tree):
    """无锡市总工会's fund with the demo programs (生活补贴 350 a quarter, 临时价格补贴 50 a month) and 500,000."""
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    seed_programs(union=tree["city"])
    return tree["city"]


@pytest.fixture
def grassroots(tree):
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="王丽华")


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心周敏")


@pytest.fixture
def approver(tree):
    return user_with_role(Role.FUND_APPROVER, tree["city"], full_name="审批赵国平")


def _file_on(household, day, exited=None):
    status = Status.EXITED if exited else Status.FILED
    Household.objects.filter(pk=household.pk).update(status=status, filed_at=day, exited_at=exited)


def test_a_household_filed_after_a_quarter_ended_is_not_paid_for_it(fund, tree, grassroots, centre):
    # Given one household filed during 2026-Q2 and one filed the day after it ended
    during, after = filed(grassroots, tree["company"]), filed(grassroots, tree["company"], card="6222021234567890136")
    _file_on(during, date(2026, 5, 20))
    _file_on(after, date(2026, 7, 1))

    # When the 2026-Q2 batch is computed (a 补发: the quarter is over)
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    batch_compute(batch_id=batch.pk)

    # Then only the first is paid for it
    assert amounts(during, "2026-Q2") == {"living": Decimal("350.00"), "price": Decimal("100.00")}
    assert amounts(after, "2026-Q2") == {}
    assert Batch.objects.get(pk=batch.pk).eligible == 1


def test_a_household_that_exited_during_a_quarter_is_paid_for_it_and_not_for_the_next(fund, tree, grassroots, centre):
    # Given a household filed in January that exited on 10 May
    household = filed(grassroots, tree["company"])
    _file_on(household, date(2026, 1, 5), exited=date(2026, 5, 10))

    # When 2026-Q2 and 2026-Q3 are computed
    for period in ("2026-Q2", "2026-Q3"):
        batch_compute(batch_id=Batch.objects.create(union=fund, period=period, created_by=centre).pk)

    # Then it is owed for Q2 (April and May on file for the monthly item) and nothing for Q3
    assert amounts(household, "2026-Q2") == {"living": Decimal("350.00"), "price": Decimal("100.00")}
    assert amounts(household, "2026-Q3") == {}


def test_a_monthly_item_counts_only_the_months_the_household_was_filed(fund, tree, grassroots, centre):
    # Given households filed before the quarter, in its second month and on its last day
    before, second, last = (filed(grassroots, tree["company"], card=card) for card in
                            ("6222021234567890128", "6222021234567890136", "6222021234567890144"))  # fmt: skip
    _file_on(before, date(2026, 3, 31))
    _file_on(second, date(2026, 8, 15))
    _file_on(last, date(2026, 9, 30))

    # When 2026-Q3 is computed
    batch_compute(batch_id=Batch.objects.create(union=fund, period="2026-Q3", created_by=centre).pk)

    # Then 临时价格补贴 (50 a month) pays 3, 2 and 1 months; 生活补贴 (quarterly) pays the quarter to each
    assert [amounts(h, "2026-Q3")["price"] for h in (before, second, last)] == [Decimal("150.00"), Decimal("100.00"),
                                                                                 Decimal("50.00")]  # fmt: skip
    assert {amounts(h, "2026-Q3")["living"] for h in (before, second, last)} == {Decimal("350.00")}


def test_the_sql_and_the_orm_agree_on_who_is_owed_at_every_edge(fund, tree, grassroots):
    # Given households on both sides of each edge of 2026-Q3 (filed/exited the day before, on, after)
    quarter = parse_quarter("2026-Q3")
    cases = [(quarter.start - timedelta(days=1), None), (quarter.end, None), (quarter.end + timedelta(days=1), None),
             (date(2026, 1, 1), quarter.start - timedelta(days=1)), (date(2026, 1, 1), quarter.start),
             (date(2026, 1, 1), quarter.end), (None, None)]  # fmt: skip
    made = []
    for index, (filed_at, exited_at) in enumerate(cases):
        household = filed(grassroots, tree["company"], card=f"62220212345678{index:05d}")
        Household.objects.filter(pk=household.pk).update(
            status=Status.EXITED if exited_at else Status.FILED, filed_at=filed_at, exited_at=exited_at
        )
        made.append(household.pk)

    # When the batch's SQL and the ORM's rule are asked
    plan, in_scope, (lo, hi) = batch_plan(union=fund, quarter=quarter)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT e.hid FROM ({plan.select}) e", plan.params(lo, hi))
        by_sql = {row[0] for row in cursor.fetchall()}

    # Then they pick the same households: filed by the last day, not exited before the first
    by_orm = set(Household.objects.filter(owed_for(quarter), pk__in=made).values_list("pk", flat=True))
    assert by_sql == by_orm == {made[0], made[1], made[4], made[5], made[6]}
    assert set(in_scope.values_list("pk", flat=True)) == by_orm


def test_starting_a_batch_shows_what_it_will_do_before_anything_is_saved(
    client, fund, tree, grassroots, centre, django_capture_on_commit_callbacks
):
    # Given two filed extreme households and this quarter
    filed(grassroots, tree["company"])
    filed(grassroots, tree["company"], card="6222021234567890136")
    quarter = quarter_of(timezone.localdate())
    client.force_login(centre)

    # When 周敏 asks to start this quarter's batch, and then confirms it
    page = client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": quarter.key})
    saved_before = Batch.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": quarter.key, "confirm": "True"})

    # Then the first page showed the period, the programs, the households and the total the run then made
    body = page.content.decode()
    assert page.status_code == 200 and not saved_before
    assert f"{quarter.key}（{quarter.start:%Y-%m-%d} — {quarter.end:%Y-%m-%d}）" in body
    assert "生活补贴、临时价格补贴" in body
    assert 'data-testid="preview-households">2</dd>' in body
    batch = Batch.objects.get()
    assert batch.status == Batch.Status.COMPUTED
    assert f'data-testid="preview-total">{batch.summary["total_amount"]}</dd>' in body
    assert 'data-testid="confirm-late"' not in body


def test_a_late_batch_is_marked_and_needs_its_own_confirmation(client, fund, tree, grassroots, centre):
    # Given a filed household and 2026-Q2, over since 30 June
    filed(grassroots, tree["company"])
    client.force_login(centre)
    start = {"union": fund.pk, "period": "2026-Q2"}

    # When the batch is confirmed without ticking 确认补发, then with it
    preview = client.post(reverse("programs:batch_start"), start).content.decode()
    refused = client.post(reverse("programs:batch_start"), {**start, "confirm": "True"})
    started = client.post(reverse("programs:batch_start"), {**start, "confirm": "True", "late": "on"})

    # Then the preview says 补发, the first is refused with the reason and saves nothing, the second starts it
    assert 'data-testid="late-badge">补发</span>' in preview and 'data-testid="confirm-late"' in preview
    assert "本批次为补发：请勾选“确认补发”后再发起" in refused.content.decode()
    batch = Batch.objects.get()
    assert started.status_code == 302 and started.url == reverse("programs:batch_detail", args=[batch.pk])
    assert batch.period == "2026-Q2"
    with pytest.raises(ActionRefused, match="补发"):
        services.batch_start(actor=centre, union=fund, period="2026-Q1", confirmed=True)


def test_a_period_not_yet_begun_cannot_be_computed(client, fund, centre):
    # Given next quarter
    upcoming = quarter_of(timezone.localdate()).next()
    client.force_login(centre)

    # When 周敏 asks to start its batch
    page = client.post(reverse("programs:batch_start"), {"union": fund.pk, "period": upcoming.key}).content.decode()

    # Then she is told why, in Chinese, and no batch exists (nor can the service be made to start one)
    assert f"发放期 {upcoming.key} 尚未开始（{upcoming.start} 起），不能计算。" in page
    assert 'data-testid="confirm-start"' not in page
    with pytest.raises(ActionRefused, match="尚未开始"):
        services.batch_start(actor=centre, union=fund, period=upcoming.key, confirmed=True, late_confirmed=True)
    assert not Batch.objects.exists()


def test_approval_shows_the_total_and_the_balance_before_and_after_and_approves_only_what_was_confirmed(
    client, fund, tree, grassroots, centre, approver
):
    # Given a computed 2026-Q3 batch of 500.00 and the demo fund's 500,000.00 for 2026
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period="2026-Q3", created_by=centre)
    batch_compute(batch_id=batch.pk)
    client.force_login(approver)

    # When 赵国平 opens it, and then approves without ticking the check, with a stale total, and as shown
    body = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()
    unticked = client.post(reverse("programs:batch_approve", args=[batch.pk]), {"confirmed_total": "500.00"},
                           follow=True).content.decode()  # fmt: skip
    with pytest.raises(ActionRefused, match="本批次金额已变为 500.00 元（您确认的是 450.00 元）"):
        services.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=Decimal("450"))
    client.post(reverse("programs:batch_approve", args=[batch.pk]), {"confirmed_total": "500.00", "checked": "on"})

    # Then the page showed the total and the balance before and after; only the confirmed approval went through
    assert 'data-testid="approval-total">500.00 元' in body
    assert 'data-testid="balance-before">500000.00</span>' in body and 'data-testid="balance-after">499500.00' in body
    assert "请核对本批次金额和资金余额，勾选确认后再批准" in unticked
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.APPROVED
    assert approval_figures(batch=batch).total == Decimal("0.00")  # nothing left pending
    assert Entitlement.objects.filter(batch=batch).count() == 2
