"""A newborn joins a filed demo family by 变更申请, with the demo logins only.

王丽华 (``grassroots``) opens the filed 蒋建华 file on her phone, proposes the newborn, sees the tier the
family would have, and submits it; 周敏 (``centre``) finds it in 我的工作, reads the before/after at her
desk and approves it behind its confirmation; the file then has four members and says so in its
history. Both read the same pages in English too. Screenshots: screenshots/change-*.png.
"""

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from cases.changes.models import ChangeRequest, ChangeStatus
from cases.models import Household, Status
from hardship.demo import DEMO_PASSWORD
from hardship.identity import make_id_number

from .conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEWBORN_ID = make_id_number("320206", date(2026, 1, 8), 931)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def english(page) -> None:
    """The menu's language switch (folded away on a phone: submitted as its button would)."""
    with page.expect_navigation():
        page.locator(".language-switch").first.evaluate("form => form.requestSubmit(form.querySelector('button'))")


def test_a_newborn_is_added_to_a_filed_demo_file_by_change_request_and_approved_by_the_centre(page, phone_page, demo):
    household = Household.objects.get(head_name="蒋建华", status=Status.FILED)
    file_url = demo.url + reverse("cases:household_detail", args=[household.pk])

    # On the phone: the file → 提出变更 → 新增家庭成员
    login(phone_page, demo, "grassroots", DEMO_PASSWORD)
    phone_page.goto(file_url)
    phone_page.get_by_test_id("propose-change").click()
    expect(phone_page.get_by_test_id("change-kinds")).to_be_visible()
    screenshot(phone_page, "change-01-phone-kinds-zh")
    phone_page.get_by_test_id("kind-member_add").click()
    phone_page.get_by_label("变更原因").select_option(label="出生")
    phone_page.get_by_label("与户主关系").select_option(label="子女")
    phone_page.get_by_label("姓名").fill("蒋小宝")
    phone_page.get_by_label("身份证号").fill(NEWBORN_ID)
    phone_page.get_by_label("就业/就学状况").select_option(label="学龄前")
    phone_page.get_by_label("情况说明").fill("2026 年 1 月出生，已办理户口登记")
    screenshot(phone_page, "change-02-phone-form-zh")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    with phone_page.expect_navigation():
        phone_page.get_by_test_id("save-change").click()

    # The draft shows what the family would become, before anything changes
    expect(phone_page.get_by_test_id("tier-preview")).to_contain_text("特困")
    expect(phone_page.get_by_test_id("change-rows")).to_contain_text("蒋小宝")
    expect(phone_page.get_by_test_id("change-rows")).not_to_contain_text(NEWBORN_ID)  # masked
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "change-03-phone-draft-zh")
    phone_page.locator("[data-action=submit]").click()
    phone_page.get_by_label("我已核对变更前后的内容").check()
    with phone_page.expect_navigation():
        phone_page.get_by_test_id("confirm-action").click()
    expect(phone_page.get_by_test_id("change-status")).to_have_text("待审批")
    household.refresh_from_db()
    assert household.member_count == 3  # not before the centre approves
    english(phone_page)
    expect(phone_page.get_by_test_id("change-status")).to_have_text("Awaiting approval")
    screenshot(phone_page, "change-04-phone-submitted-en")

    # At the centre's desk: 我的工作 → 待审批的变更申请 → the request → 批准变更 → confirm
    login(page, demo, "centre", DEMO_PASSWORD)
    page.get_by_role("link", name="待审批的变更申请").first.click()
    expect(page.get_by_test_id("change-queue")).to_contain_text("蒋建华")
    screenshot(page, "change-05-desktop-queue-zh")
    page.get_by_test_id("change-queue").get_by_role("link").first.click()
    screenshot(page, "change-06-desktop-detail-zh")
    page.locator("[data-action=approve]").click()
    page.get_by_label("审批意见").fill("经核实，新生儿户口已登记")
    page.get_by_label("我已核对变更前后的内容和困难类别的变化").check()
    screenshot(page, "change-07-desktop-confirm-zh")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("change-status")).to_have_text("已批准并生效")

    # The file: four members, the newborn's entry in its history
    page.goto(file_url)
    expect(page.get_by_test_id("members").locator("tbody tr")).to_have_count(4)
    expect(page.get_by_test_id("history")).to_contain_text("变更申请批准生效 · 周敏")
    expect(page.get_by_test_id("history")).to_contain_text("新增成员 蒋小宝")
    screenshot(page, "change-08-desktop-file-zh")
    english(page)
    expect(page.get_by_test_id("history")).to_contain_text("Change request approved and applied")
    screenshot(page, "change-09-desktop-file-en")
    page.goto(demo.url + reverse("cases:change_detail", args=[ChangeRequest.objects.get().pk]))
    screenshot(page, "change-10-desktop-detail-en")

    household.refresh_from_db()
    assert household.member_count == 4 and ChangeRequest.objects.get().status == ChangeStatus.APPROVED
