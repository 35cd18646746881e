"""One application through the whole review chain, in the browser, by five people.

王丽华 (``grassroots``) submits the file of 沈海明 → 陈建国 (``caseworker``) logs the
初审 home visit on his phone → 李卫东, a second staff member of the same grassroots union
(the submitter may not review her own case), gives the 初审 → 周敏 (``centre``) hands the
复审 to the demo social organisation → 刘思雨 (``reviewer``) visits with 吴静 (``observer``)
and approves → 公示 → 周敏 files it and sees the 职工编号. Each person first sees the case
arrive on the bell. Screenshots of every step go to screenshots/review-*.png.
"""

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Household, Status, Step
from cases.services import MemberInput, household_create
from hardship.demo import DEMO_PASSWORD, SOCIAL_ORGANISATION
from hardship.identity import make_card_number, make_id_number
from hardship.models import Notification, Role, Union, User
from hardship.services import role_assign
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

HEAD = "沈海明"
SPOUSE = "周丽娟"

# A 1×1 PNG: the visit photo a caseworker takes with the phone.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    # The demo's own notifications (seed_demo files its families) are read: the bell counts only this case.
    Notification.objects.update(read_at=timezone.now())
    return live_server


@pytest.fixture
def case(demo):
    """A draft file at 王丽华's union, entered by her (seed_demo files its own family there)."""
    union = Union.objects.get(code="WX-HS-YQ-01")
    grassroots = User.objects.get(username="grassroots")
    # A second staff member at the same grassroots union: the 初审 cannot be the submitter's own.
    colleague = User.objects.create_user(username="grassroots2", password=DEMO_PASSWORD, full_name="李卫东")
    role_assign(actor=None, user=colleague, union=union, role=Role.GRASSROOTS_STAFF)
    members = [
        MemberInput(relation="self", name=HEAD, id_number=make_id_number("320211", date(1976, 5, 14), 331),
                    work_status="employed", health="chronic", income_wages=Decimal("42000")),
        MemberInput(relation="spouse", name=SPOUSE, id_number=make_id_number("320211", date(1978, 10, 3), 342),
                    work_status="unable", health="uraemia"),
        MemberInput(relation="child", name="沈雨涵", id_number=make_id_number("320211", date(2011, 2, 20), 364),
                    work_status="student", school_level="junior"),
    ]  # fmt: skip
    data = {
        "phone": "13812345678", "address": "惠山区堰桥街道锡澄路 218 号 5 幢 102 室", "housing": "rented",
        "employer": "无锡海溪防腐设备有限公司", "expense_medical": Decimal("26000"),
        "main_cause": "serious_illness", "secondary_causes": ["schooling"], "bank_name": "中国工商银行",
        "bank_branch": "无锡堰桥支行", "bank_card": make_card_number("622202151000998877"),
    }  # fmt: skip
    return household_create(actor=grassroots, union=union, data=data, members=members)


def open_case_from_queue(page, queue_label: str) -> None:
    """审核待办 → the queue's tab → the case: the way a reviewer finds their work."""
    page.locator("[data-testid=main-nav]").get_by_role("link", name="审核待办").click()
    page.locator(".queue-tabs").get_by_role("link", name=queue_label).click()
    expect(page.locator(".queue-tabs .nav-link.active")).to_have_text(queue_label)
    with page.expect_navigation():
        page.get_by_test_id("queue-table").get_by_role("link", name=HEAD).click()
    expect(page.locator("h1")).to_contain_text(f"{HEAD}户")


def expect_bell(page, count: int) -> None:
    expect(page.get_by_test_id("unread-count")).to_have_text(str(count))


def test_an_application_goes_through_the_whole_review_chain(page, phone_page, demo, case, tmp_path):
    household = case
    detail_url = demo.url + reverse("cases:household_detail", args=[household.pk])
    status = page.locator("h1 .status-badge")

    # 1. 王丽华 submits the application.
    login(page, demo, "grassroots", DEMO_PASSWORD)
    page.locator("[data-testid=main-nav]").get_by_role("link", name="家庭档案").click()
    page.get_by_test_id("household-table").get_by_role("link", name=HEAD).click()
    expect(status).to_have_text("草稿")
    page.get_by_test_id("review-actions").get_by_role("link", name="提交申请").click()
    expect(page.locator("h1")).to_have_text(f"提交申请 · {HEAD}户")
    screenshot(page, "review-01-submit-confirm")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成：提交申请。")
    expect(status).to_have_text("已提交")
    # She submitted it, so she is offered neither the visit nor the 初审.
    expect(page.get_by_test_id("review-actions")).to_have_count(0)
    screenshot(page, "review-02-submitted")
    page.context.clear_cookies()

    # 2. 陈建国 logs the 初审 home visit on his phone, at the door.
    phone = phone_page
    login(phone, demo, "caseworker", DEMO_PASSWORD)
    phone.locator(".navbar-toggler").click()
    expect_bell(phone, 1)
    phone.wait_for_selector("#mainNav.collapse.show")
    screenshot(phone, "review-03-phone-caseworker-bell")
    phone.get_by_test_id("bell").click()
    notice = phone.get_by_role("link", name=f"{HEAD}户：待初审走访")
    expect(notice).to_be_visible()
    screenshot(phone, "review-04-phone-caseworker-notifications")
    with phone.expect_navigation():
        notice.click()
    expect(phone.locator("h1 .status-badge")).to_have_text("已提交")
    # On a phone the next step is at the top of the file, not below the tables.
    visit_link = phone.get_by_test_id("review-actions-top").get_by_role("link", name="记录初审走访")
    expect(visit_link).to_be_in_viewport()
    screenshot(phone, "review-05-phone-case-before-visit")
    with phone.expect_navigation():
        visit_link.click()
    expect(phone.locator("h1")).to_have_text("初审走访")
    expect(phone.get_by_label("走访日期")).to_have_value(timezone.localdate().isoformat())
    phone.get_by_label("住址与档案一致").check()
    phone.get_by_label("李卫东").check()
    phone.get_by_label("居住与生活状况").fill("租住两室一厅约 50 平方米，家具陈旧；妻子尿毒症每周透析三次。")
    phone.get_by_label(f"{HEAD} 核实月收入").fill("3500")
    phone.get_by_label(f"{SPOUSE} 核实月收入").fill("0")
    phone.get_by_label("走访结论").fill("家庭情况与申请一致，建议通过初审。")
    photo = tmp_path / "现场.png"
    photo.write_bytes(PHOTO)
    phone.get_by_label("现场照片（JPG/PNG，可多张）").set_input_files(str(photo))
    screenshot(phone, "review-06-phone-first-visit-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存走访记录").click()
    expect(phone.locator(".alert-success")).to_contain_text("走访记录已保存。")
    expect(phone.locator("h1 .status-badge")).to_have_text("初审中")
    visit = phone.get_by_test_id("visit")
    expect(visit).to_contain_text("初审")
    expect(visit).to_contain_text("陈建国")
    expect(visit).to_contain_text("李卫东")
    expect(visit).to_contain_text("1 张照片")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "review-07-phone-first-visit-saved")

    # 3. 李卫东, the colleague, gives the 初审 (the submitter could not).
    login(page, demo, "grassroots2", DEMO_PASSWORD)
    expect_bell(page, 1)
    screenshot(page, "review-08-colleague-my-work-bell")
    open_case_from_queue(page, "待初审")
    page.get_by_test_id("review-actions").get_by_role("link", name="初审", exact=True).click()
    expect(page.get_by_test_id("action-visits")).to_contain_text("家庭情况与申请一致")  # the visit, at hand
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("经入户核实，收入与支出情况属实，同意上报复审。")
    screenshot(page, "review-09-first-review-form")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成：初审。")
    expect(status).to_have_text("复审中")
    expect(page.get_by_test_id("opinions")).to_contain_text("经入户核实")
    screenshot(page, "review-10-first-review-done")
    page.context.clear_cookies()

    # 4. 周敏 at the city centre hands the 复审 to the social organisation.
    login(page, demo, "centre", DEMO_PASSWORD)
    expect_bell(page, 1)
    screenshot(page, "review-11-centre-my-work-bell")
    open_case_from_queue(page, "待派单复审")
    page.get_by_test_id("review-actions").get_by_role("link", name="派单复审").click()
    page.get_by_label("第三方社会组织").select_option(label=SOCIAL_ORGANISATION)
    due = timezone.localdate() + timedelta(days=15)
    expect(page.get_by_label("复审期限")).to_have_value(due.isoformat())
    screenshot(page, "review-12-assign-form")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成：派单复审。")
    expect(page.get_by_test_id("review-panel")).to_contain_text(f"{SOCIAL_ORGANISATION}（期限 {due:%Y-%m-%d}）")
    screenshot(page, "review-13-assigned")
    page.context.clear_cookies()

    # 5. 刘思雨 of the social organisation visits again, with 吴静 of the discipline group, and approves.
    login(page, demo, "reviewer", DEMO_PASSWORD)
    expect_bell(page, 1)
    screenshot(page, "review-14-reviewer-my-work-bell")
    open_case_from_queue(page, "待复审")
    with page.expect_navigation():
        page.get_by_role("link", name="记录复审走访").click()
    expect(page.locator("h1")).to_have_text("复审走访")
    page.get_by_label("住址与档案一致").check()
    # Only the organisation's own staff could go along: not the submitter, not the 初审 reviewer.
    expect(page.get_by_label("李卫东")).to_have_count(0)
    expect(page.get_by_label("王丽华")).to_have_count(0)
    page.get_by_label("陪同的纪检监督员").select_option(label="吴静")
    page.get_by_label("居住与生活状况").fill("与初审记录一致；查看了透析费用单据和租房合同。")
    page.get_by_label(f"{HEAD} 核实月收入").fill("3500")
    page.get_by_label("走访结论").fill("情况属实，符合困难职工认定条件。")
    screenshot(page, "review-15-second-visit-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访记录").click()
    second_visit = page.get_by_test_id("visit").filter(has_text="复审")
    expect(second_visit).to_contain_text("纪检陪同：吴静")
    page.get_by_test_id("review-actions").get_by_role("link", name="复审", exact=True).click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("复审通过，同意公示。")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    # The 复审 given, the case leaves the organisation's hands: back to its queue, the file closed to it.
    expect(page.locator(".alert-success")).to_contain_text("已完成：复审。")
    expect(page.get_by_role("alert").filter(has_text="不能再查看该档案")).to_be_visible()
    household.refresh_from_db()
    assert household.status == Status.PUBLIC_NOTICE
    assert household.visits.get(step=Step.SECOND).observer.username == "observer"
    screenshot(page, "review-16-second-review-approved")
    page.goto(detail_url)
    expect(page.locator("h1")).to_have_text("找不到该页面或记录")
    page.context.clear_cookies()

    # 6. 周敏 sees it in 公示; the 公示 page shows a masked name, nothing personal.
    login(page, demo, "centre", DEMO_PASSWORD)
    expect_bell(page, 2)
    screenshot(page, "review-18-centre-my-work-bell")
    page.goto(detail_url)
    expect(status).to_have_text("公示中")
    expect(page.get_by_test_id("review-panel")).to_contain_text(
        f"公示 · {household.notice_start:%m-%d} — {household.notice_end:%m-%d}"
    )
    page.locator("[data-testid=main-nav]").get_by_role("link", name="公示").click()
    row = page.get_by_test_id("notice-table").locator("tbody tr").filter(has_text="沈*明")
    expect(row).to_contain_text("无锡海溪防腐设备有限公司工会")
    expect(row).to_contain_text(f"{household.notice_start:%Y-%m-%d} — {household.notice_end:%Y-%m-%d}")
    expect(page.get_by_test_id("notice-table")).not_to_contain_text(HEAD)
    screenshot(page, "review-17-notice-page")

    # 周敏 may not file it while the 公示 runs: the page says so, and the server refuses anyway.
    page.goto(detail_url)
    expect(page.get_by_test_id("review-actions").get_by_test_id("file-waiting")).to_have_text("建档")
    expect(page.get_by_test_id("review-actions")).to_contain_text(f"公示期至 {household.notice_end:%Y-%m-%d} 结束")
    screenshot(page, "review-19-file-waits-for-notice")
    page.goto(demo.url + reverse("cases:review_action", args=[household.pk, "file"]))
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    # The refusal is said once, next to the button, on the same page; the case stays in 公示.
    expect(page.get_by_role("alert").filter(has_text="公示结束后才能建档")).to_be_visible()
    expect(page.get_by_text("公示结束后才能建档")).to_have_count(1)
    expect(page.locator("main")).to_contain_text("当前状态：公示中")

    # The test moves the 公示 into the past (it ended yesterday): we can't wait 5 working days.
    today = timezone.localdate()
    Household.objects.filter(pk=household.pk).update(
        notice_start=today - timedelta(days=8), notice_end=today - timedelta(days=1)
    )

    open_case_from_queue(page, "公示期满待建档")
    page.get_by_test_id("review-actions").get_by_role("link", name="建档", exact=True).click()
    expect(page.locator("h1")).to_have_text(f"建档 · {HEAD}户")
    screenshot(page, "review-20-file-confirm")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    household.refresh_from_db()
    assert household.status == Status.FILED
    assert re.fullmatch(rf"WX{timezone.localdate():%Y}\d{{7}}", household.file_number)
    expect(page.locator(".alert-success")).to_contain_text("已完成：建档。")
    expect(status).to_have_text("已建档")
    expect(page.get_by_test_id("file-number")).to_have_text(household.file_number)
    expect(page.locator("main")).to_contain_text(f"职工编号 {household.file_number}")
    screenshot(page, "review-21-filed")
