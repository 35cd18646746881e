"""信息比对 end to end with the demo logins: consent → request file → result → flag → confirmed → change → re-tier.

王丽华 (``grassroots``) records the 蒋建华 family's signed authorisation; 钱志刚 (``huishan``, 惠山区帮扶中心)
sends the district's filed households to 社保, downloads the request file, uploads the result with a
pension the file does not know, finds the flag in 核查处理 and confirms it, which proposes a change
request with the new income; 周敏 (``centre``) approves it and the file is re-tiered.
Screenshots: /tmp/shots-xcheck/*.png.
"""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from cases.crosscheck.models import Flag, FlagStatus
from cases.models import Household, Status
from hardship.demo import DEMO_PASSWORD
from hardship.spreadsheet import csv_bytes

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots-xcheck")


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def test_a_pension_found_by_the_social_insurance_check_re_tiers_the_file(page, demo, tmp_path):
    household = Household.objects.get(head_name="蒋建华", status=Status.FILED)
    tier_before = household.tier
    head = household.members.get(relation="self")
    file_url = demo.url + reverse("cases:household_detail", args=[household.pk])

    # 王丽华 records the family's signed authorisation on the file
    login(page, demo, "grassroots", DEMO_PASSWORD)
    page.goto(file_url)
    page.get_by_test_id("consent-link").click()
    expect(page.get_by_test_id("unsigned")).to_contain_text("蒋建华")
    signed = tmp_path / "授权书.pdf"
    signed.write_bytes(b"%PDF-1.4 signed authorisation\n%%EOF")
    page.get_by_label("授权书（PDF/JPG/PNG）").set_input_files(str(signed))
    shot(page, "xcheck-00-consent-form-zh")
    with page.expect_navigation():
        page.get_by_test_id("consent-submit").click()
    expect(page.get_by_test_id("consents")).to_contain_text("社保")
    shot(page, "xcheck-01-consent-zh")

    # 钱志刚 sends the district's filed households to 社保 and downloads the request file
    page.context.clear_cookies()
    login(page, demo, "huishan", DEMO_PASSWORD)
    page.goto(demo.url + reverse("cases:xcheck_home"))
    form = page.get_by_test_id("request-form")
    form.get_by_label("核对范围").select_option(label="本工会全部在档家庭")
    form.get_by_label("社保").check()
    shot(page, "xcheck-02-request-form-zh")
    with page.expect_navigation():
        page.get_by_test_id("request-submit").click()
    expect(page.get_by_test_id("people")).not_to_have_text("0")
    with page.expect_download() as download:
        page.get_by_test_id("request-file").first.click()
    content = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert head.id_number in content and "蒋建华" in content
    shot(page, "xcheck-03-request-zh")

    # The 社保 centre's answer: a pension of 5,000 a month the file does not know
    result = tmp_path / "社保结果.csv"
    result.write_bytes(csv_bytes([["身份证号", "月养老金", "月缴费额"], [head.id_number, "5000", "0"],
                                  ["110105194912310021", "3000", "0"], ["bad-id", "1", "0"]]))  # fmt: skip
    page.get_by_test_id("result-form").get_by_label("结果文件（CSV，UTF-8）").set_input_files(str(result))
    with page.expect_navigation():
        page.get_by_test_id("result-submit").click()
    expect(page.get_by_test_id("upload")).to_contain_text("匹配 1 人")
    shot(page, "xcheck-04-result-zh")

    # 核查处理: the flag, confirmed with the pension as the new income
    page.goto(demo.url + reverse("cases:xcheck_flag_queue"))
    expect(page.get_by_test_id("flag-queue")).to_contain_text("蒋建华")
    shot(page, "xcheck-05-queue-zh")
    page.get_by_test_id("flag-queue").get_by_role("link").first.click()
    expect(page.get_by_test_id("flag-facts")).to_contain_text("养老金")
    shot(page, "xcheck-06-flag-zh")
    confirm = page.locator("form[data-action=confirm_change]")
    confirm.get_by_label("处理意见").fill("社保核实：户主领取养老金")
    with page.expect_navigation():
        confirm.locator("button[type=submit]").click()
    expect(page.get_by_test_id("change-status")).to_have_text("待审批")
    shot(page, "xcheck-07-change-request-zh")
    flag = Flag.objects.get(household=household)
    assert flag.status == FlagStatus.CONFIRMED and flag.change_request_id

    # 周敏 approves the change: the file is re-tiered with the pension
    page.context.clear_cookies()
    login(page, demo, "centre", DEMO_PASSWORD)
    page.goto(demo.url + reverse("cases:change_detail", args=[flag.change_request_id]))
    page.locator("[data-action=approve]").click()
    page.get_by_label("我已核对变更前后的内容和困难类别的变化").check()
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("change-status")).to_have_text("已批准并生效")
    page.goto(file_url)
    expect(page.get_by_test_id("history")).to_contain_text("确认比对疑点")
    shot(page, "xcheck-08-file-zh")
    household.refresh_from_db()
    assert household.tier != tier_before
