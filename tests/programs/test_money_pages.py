"""The money pages as the fund admin reads them: the current menu item, next year's budget, the
order of the standards, the date input, a failed batch, a re-issue."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hardship.models import Role
from programs.assistance.batch import batch_compute
from programs.assistance.demo import seed_programs
from programs.assistance.forms import ProgramStandardForm
from programs.assistance.models import Batch, FundAccount, LedgerEntry, Program
from programs.assistance.periods import quarter_of
from tests.factories import user_with_role
from tests.programs.test_money import filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def fund(tree, standard):
    seed_programs(union=tree["city"])
    return tree["city"]


@pytest.fixture
def approver(tree):
    return user_with_role(Role.FUND_APPROVER, tree["city"], full_name="审批赵国平")


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心周敏")


def active_nav(response) -> list[str]:
    return [str(item["label"]) for item in response.context["nav_items"] if item["active"]]


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("programs:batch_list", "发放批次"),
        ("programs:ledger", "资金台账"),
        ("programs:program_list", "帮扶项目"),
        ("programs:grant_list", "帮扶项目"),
    ],
)
def test_one_menu_item_is_current_on_each_money_page(client, fund, centre, url, current):
    # /programs/ (帮扶项目) is a prefix of /programs/batches/: both used to be highlighted.
    client.force_login(centre)

    assert active_nav(client.get(reverse(url))) == [current]


def test_the_approver_puts_next_years_budget_in_from_the_ledger(client, fund, approver):
    # January's batch is charged to the new year's account, which only an allocation opens; the form
    # used to allocate only to the account on screen, so a new year's batch could never be approved.
    account = FundAccount.objects.get(union=fund)
    next_year = account.year + 1
    client.force_login(approver)

    response = client.post(reverse("programs:ledger_allocate", args=[account.pk]),
                           {"year": next_year, "amount": "300000", "memo": "下一年度预算"})  # fmt: skip

    new = FundAccount.objects.get(union=fund, year=next_year)
    assert response.url == f"{reverse('programs:ledger')}?account={new.pk}"
    assert [e.amount for e in LedgerEntry.objects.filter(account=new)] == [Decimal("300000.00")]
    assert LedgerEntry.objects.filter(account=account).count() == 1  # this year's untouched


def test_the_ledger_form_offers_the_year_of_the_account_on_screen(client, fund, approver):
    account = FundAccount.objects.get(union=fund)
    client.force_login(approver)

    body = client.get(reverse("programs:ledger")).content.decode()

    assert re.search(rf'name="year" value="{account.year}"', body)


def test_standards_are_listed_by_tier_priority_and_school_level_not_by_code(client, fund, centre):
    client.force_login(centre)

    body = client.get(reverse("programs:program_list")).content.decode()

    festival = body[body.index("两节送温暖") : body.index("金秋助学")]
    assert festival.index("特困") < festival.index("深度困难") < festival.index("相对困难")
    autumn = body[body.index("金秋助学") : body.index("一次性医疗补贴", body.index("金秋助学"))]
    extreme = autumn[autumn.index("特困") : autumn.index("深度困难")]
    assert extreme.index("小学") < extreme.index("初中") < extreme.index("高中/中职") < extreme.index("大学")


def test_the_standard_form_shows_its_date_in_a_date_input_under_the_chinese_locale(fund):
    # <input type="date"> takes only 2026-07-01; the zh-hans format (2026/07/01) left it blank.
    form = ProgramStandardForm(program=Program.objects.get(code="living"))

    with translation.override("zh-hans"):
        html = str(form["effective_from"])

    start = quarter_of(timezone.localdate()).next().start
    assert f'value="{start:%Y-%m-%d}"' in html


def test_a_failed_batch_says_so_in_chinese_and_keeps_the_error_for_the_admin(client, fund, centre):
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre, status=Batch.Status.FAILED,
                                 error="OperationalError: server closed the connection")  # fmt: skip
    client.force_login(centre)

    body = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()

    assert "计算没有完成。可以重新计算" in body
    assert "<summary>错误详情（供系统管理员排查）</summary>" in body
    assert "OperationalError: server closed the connection" in body
    assert reverse("programs:batch_recompute", args=[batch.pk]) in body


def test_a_pending_batch_shows_the_files_current_card_greyed_until_approval(client, fund, tree, centre, grassroots):
    filed(grassroots, tree["company"])
    batch = Batch.objects.create(union=fund, period="2026-Q2", created_by=centre)
    batch_compute(batch_id=batch.pk)
    client.force_login(centre)

    body = client.get(reverse("programs:batch_detail", args=[batch.pk])).content.decode()

    assert body.count('<span class="text-muted" title="档案当前卡号，批准时锁定">6222 **** **** 0128</span>') == 2
    assert "灰色卡号是档案中的当前卡号" in body
