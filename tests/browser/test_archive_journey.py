"""The archive's life cycle and 追回 in the browser: a 临时档案 past its deadline is closed from the queue and
found in 注销库; a destruction list is submitted by one centre staff member and approved by another; money
wrongly paid is recorded and collected in two instalments behind confirmations. Screenshots:
screenshots/archive-*.png (desktop and phone).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.archive.services import destruction_list_draft
from cases.models import HardshipStandard, Household, Status, Tier
from cases.services import household_create
from hardship.dates import add_months
from hardship.models import Role
from programs.recovery.models import Receivable, ReceivableStatus
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role
from tests.programs.recovery_world import paid_household

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Secret#2026"


@pytest.fixture
def cast(tree):
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    return {
        "centre": user_with_role(Role.CENTRE_STAFF, tree["city"], username="zhoumin", full_name="周敏"),
        "centre2": user_with_role(Role.CENTRE_STAFF, tree["city"], username="wujing", full_name="吴静"),
        "approver": user_with_role(Role.FUND_APPROVER, tree["city"], username="zhaoguoping", full_name="赵国平"),
        "grassroots": user_with_role(Role.GRASSROOTS_STAFF, tree["company"], username="wanglihua", full_name="王丽华"),
    }


def _file(tree, cast, name, **update):
    household = household_create(actor=cast["grassroots"], union=tree["company"], data=household_data(),
                                 members=[person(name=name)])  # fmt: skip
    filed_at = add_months(timezone.localdate(), -13)
    Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=filed_at, **update)
    return Household.objects.get(pk=household.pk)


def test_a_temporary_file_is_closed_from_its_queue_and_found_in_the_closed_archive(page, phone_page, live_server,
                                                                                  tree, cast):  # fmt: skip
    today = timezone.localdate()
    overdue = _file(tree, cast, "马晓东", tier=Tier.SUDDEN, temporary_until=today - timedelta(days=20))
    _file(tree, cast, "陈丽", tier=Tier.SUDDEN, temporary_until=today + timedelta(days=12))

    login(page, live_server, "zhoumin", PASSWORD)
    page.goto(live_server.url + reverse("cases:archive_temporary"))
    expect(page.get_by_test_id("overdue")).to_be_visible()
    screenshot(page, "archive-01-temporary-queue")
    page.locator("tr", has_text="马晓东").get_by_role("link", name="注销").click()
    expect(page.get_by_test_id("close-explained")).to_be_visible()
    page.get_by_label("临时档案逾期未转正").check()
    page.get_by_label("说明").fill("逾期未补交医疗费用票据")
    screenshot(page, "archive-02-close-confirm")
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("archive-closed")).to_be_visible()
    screenshot(page, "archive-03-file-closed")
    assert Household.objects.get(pk=overdue.pk).status == Status.CLOSED

    page.goto(live_server.url + reverse("cases:archive_search") + "?library=closed")
    expect(page.get_by_test_id("archive-table")).to_contain_text("马晓东")
    screenshot(page, "archive-04-closed-archive")
    login(phone_page, live_server, "zhoumin", PASSWORD)
    phone_page.goto(live_server.url + reverse("cases:archive_search") + "?library=closed")
    screenshot(phone_page, "archive-05-closed-archive-phone")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_destruction_list_is_submitted_by_one_and_approved_by_another(page, live_server, tree, cast):
    old = _file(tree, cast, "杨建军")
    Household.objects.filter(pk=old.pk).update(status=Status.CLOSED, close_reason="deceased",
                                               closed_at=add_months(timezone.localdate(), -125))  # fmt: skip
    (destruction,) = destruction_list_draft()
    url = live_server.url + reverse("cases:destruction_detail", args=[destruction.pk])

    login(page, live_server, "zhoumin", PASSWORD)
    page.goto(live_server.url + reverse("cases:destruction_list"))
    screenshot(page, "archive-06-destruction-lists")
    page.goto(url)
    page.locator('[data-action="submit"]').click()
    page.get_by_label("我已逐户核对清单，提请另一位帮扶中心工作人员批准销毁").check()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("destruction-status")).to_have_text("待批准")
    expect(page.locator('[data-action="approve"]')).to_have_count(0)  # not the submitter's to approve
    screenshot(page, "archive-07-destruction-submitted")

    page.context.clear_cookies()
    login(page, live_server, "wujing", PASSWORD)
    page.goto(url)
    page.locator('[data-action="approve"]').click()
    expect(page.get_by_test_id("destruction-warning")).to_be_visible()
    screenshot(page, "archive-08-destruction-approve-confirm")
    page.get_by_label("我已逐户核对清单：这些档案已保存满 10 年，批准后个人信息将被清除且不能恢复").check()
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("destruction-status")).to_have_text("已批准销毁")
    screenshot(page, "archive-09-destruction-approved")
    page.goto(live_server.url + reverse("cases:household_detail", args=[old.pk]))
    expect(page.get_by_test_id("archive-destroyed")).to_be_visible()
    screenshot(page, "archive-10-file-destroyed")


def test_money_wrongly_paid_is_recorded_and_collected_in_two_instalments(page, live_server, tree, cast):
    paid = paid_household(union=tree["company"], fund=tree["huishan"], starter=cast["centre"],
                          approver=cast["approver"], name="钱建国")  # fmt: skip

    login(page, live_server, "zhoumin", PASSWORD)
    page.goto(live_server.url + reverse("cases:household_detail", args=[paid.household.pk]))
    page.get_by_test_id("raise-recovery").click()
    for box in page.locator("input[name=payments]").all()[:1]:
        box.check()
    page.get_by_label("应追回金额（元）").fill("300")
    page.get_by_label("追回原因").fill("信息比对：名下有一辆小型汽车，不符合条件期间的生活补贴")
    screenshot(page, "archive-11-recovery-raise")
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("owed")).to_have_text("300.00")
    for amount in ("120", "180"):
        page.locator('[data-action="collect"]').click()
        page.get_by_label("本次收回金额（元）").fill(amount)
        page.get_by_label("我已核对收款凭证：这笔钱已收到并计入资金账户").check()
        if amount == "120":
            screenshot(page, "archive-12-recovery-collect-confirm")
        page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("owed")).to_have_text("0.00")
    screenshot(page, "archive-13-recovery-settled")
    assert Receivable.objects.get().status == ReceivableStatus.SETTLED
    page.goto(live_server.url + reverse("programs:receivable_list"))
    screenshot(page, "archive-14-recovery-list")
    page.goto(live_server.url + reverse("cases:household_detail", args=[paid.household.pk]))
    screenshot(page, "archive-15-file-history")
    assert Decimal("300") <= paid.total
