"""A one-staff union's case from entry to 建档 with the demo logins only.

海溪公司工会 has one 干事, 王丽华 (``grassroots``): she enters the file (the 身份证号 is
checked as she leaves the field) and submits it; she may not review it herself. 徐卫民
(``street``, the 堰桥街道 union's 干事) visits on his phone with 陈建国 and 吴静 and gives
the 初审; 周敏 (``centre``) hands the 复审 to the social organisation; 刘思雨 (``reviewer``)
visits and approves; the 公示 runs; 周敏 files it after the notice. The notice cannot be
waited for in a test: its dates are moved into the past with the ORM (the same shortcut as
test_review_journey), after the page has shown the dates the holiday calendar gave.
The print sheet is checked at A4 in Chinese and English. Screenshots: screenshots/small-*.png.
"""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Household, Status, Step
from hardship.demo import DEMO_PASSWORD, SOCIAL_ORGANISATION
from hardship.identity import make_card_number, make_id_number
from hardship.models import Notification
from tests.browser.conftest import SCREENSHOTS, login, screenshot
from tests.browser.test_household_journey import fill_member

pytestmark = pytest.mark.browser

HEAD, CHILD = "钱国栋", "钱小雨"
HEAD_ID = make_id_number("320206", date(1979, 6, 18), 713)
CHILD_ID = make_id_number("320206", date(2012, 3, 2), 724)
WRONG_CHECK = HEAD_ID[:17] + ("0" if HEAD_ID[17] != "0" else "1")
A4_WIDTH_PX = 794  # 210 mm at 96 dpi


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    Notification.objects.update(read_at=timezone.now())  # the bell counts only this case
    return live_server


def english(page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def sheet_fits_a4(page) -> bool:
    """In print layout at A4 width, the member table ends inside the sheet."""
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    page.emulate_media(media="print")
    fits = page.evaluate(
        "() => { const t = document.querySelector('.grid.members').getBoundingClientRect();"
        " const s = document.querySelector('.sheet').getBoundingClientRect();"
        " return t.right <= s.right + 0.5 && document.documentElement.scrollWidth <= window.innerWidth; }"
    )
    page.emulate_media(media="null")  # no emulation again ("screen" would make page.pdf() print screen CSS)
    return fits


def print_to_pdf(page, name: str) -> int:
    """Print-to-PDF at A4, as the browser's print dialog would (laid out at the page's 186 mm of content
    width: the viewport a print uses), into screenshots/; returns the number of A4 pages."""
    page.set_viewport_size({"width": 703, "height": 1000})
    pdf = page.pdf(path=str(SCREENSHOTS / name), format="A4")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert boxes and all(abs(float(w) - 595.92) < 2 and abs(float(h) - 842.88) < 2 for w, h in boxes), boxes
    return len(boxes)


def test_a_one_staff_unions_case_goes_from_entry_to_filing(page, phone_page, demo, tmp_path):
    # 1. 王丽华, the union's only 干事, enters the file; the 身份证号 is checked as she leaves the field.
    login(page, demo, "grassroots", DEMO_PASSWORD)
    page.goto(demo.url + reverse("cases:household_create"))
    rows = page.locator("fieldset.member-row")
    id_field = rows.nth(0).get_by_label("身份证号")
    id_field.fill(WRONG_CHECK)
    id_field.press("Tab")
    error = rows.nth(0).locator(".invalid-feedback")
    expect(error).to_have_text(re.compile(r"^身份证号校验位错误（最后一位应为 .），请核对号码。$"))
    expect(id_field).to_have_class(re.compile("is-invalid"))
    screenshot(page, "small-01-id-checked-on-leaving")
    fill_member(rows.nth(0), relation="本人（户主）", name=HEAD, id_number=HEAD_ID, work="在职", health="慢性病",
                monthly={"工资性收入": "3200"})  # fmt: skip
    id_field.press("Tab")
    expect(rows.nth(0).locator(".id-check-hint")).to_have_text("1979-06-18 · 男")
    expect(error).to_have_text("")
    fill_member(rows.nth(1), relation="子女", name=CHILD, id_number=CHILD_ID, work="在校学生", school="初中")
    page.get_by_label("联系电话").fill("13905107788")
    page.get_by_label("家庭住址").fill("惠山区堰桥街道锡澄路 301 号")
    page.get_by_label("医疗支出").fill("9000")
    page.get_by_label("主要致困原因").select_option(label="患重特大疾病")
    page.get_by_label("开户银行").fill("中国工商银行")
    page.get_by_label("银行卡号").fill(make_card_number("622202151000445566"))
    with page.expect_navigation():
        page.get_by_role("button", name="保存档案").click()
    household = Household.objects.get(head_id_number=HEAD_ID)
    detail_url = demo.url + reverse("cases:household_detail", args=[household.pk])
    status = page.locator("h1 .status-badge")
    page.get_by_test_id("review-actions").get_by_role("link", name="提交申请").click()
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(status).to_have_text("已提交")
    expect(page.get_by_test_id("review-actions")).to_have_count(0)  # she entered it: no 初审 for her
    household.refresh_from_db()
    due = page.get_by_test_id("first-review-due")
    expect(due).to_contain_text("走访期限")
    screenshot(page, "small-02-submitted")
    page.context.clear_cookies()

    # 2. 徐卫民 of the street union visits on his phone, with 陈建国 and 吴静 of the discipline group.
    phone = phone_page
    login(phone, demo, "street", DEMO_PASSWORD)
    phone.goto(detail_url)
    visit_link = phone.get_by_test_id("review-actions-top").get_by_role("link", name="记录初审走访")
    expect(visit_link).to_be_in_viewport()
    screenshot(phone, "small-03-phone-street-file")
    with phone.expect_navigation():
        visit_link.click()
    expect(phone.get_by_label("王丽华")).to_have_count(0)  # who entered it does not go along
    phone.get_by_label("陈建国").check()
    phone.get_by_label("陪同的纪检监督员").select_option(label="吴静")
    phone.get_by_label("住址与档案一致").check()
    phone.get_by_label("居住与生活状况").fill("老旧平房约 40 平方米；户主慢性病需长期服药。")
    phone.get_by_label("走访结论").fill("情况属实，建议通过初审。")
    screenshot(phone, "small-04-phone-first-visit-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="保存走访记录").click()
    visit = phone.get_by_test_id("visit")
    expect(visit).to_contain_text("徐卫民")
    expect(visit).to_contain_text("陈建国")
    expect(visit).to_contain_text("纪检陪同：吴静")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "small-05-phone-visit-saved")

    # 3. 徐卫民 gives the 初审 (the street union does it for the one-staff union).
    login(page, demo, "street", DEMO_PASSWORD)
    page.goto(detail_url)
    page.get_by_test_id("review-actions").get_by_role("link", name="初审", exact=True).click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("街道工会入户核实属实，同意上报复审。")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    expect(status).to_have_text("复审中")
    household.refresh_from_db()
    assert household.first_reviewer.username == "street"
    page.context.clear_cookies()

    # 4. 周敏 hands the 复审 to the social organisation.
    login(page, demo, "centre", DEMO_PASSWORD)
    page.goto(detail_url)
    page.get_by_test_id("review-actions").get_by_role("link", name="派单复审").click()
    page.get_by_label("第三方社会组织").select_option(label=SOCIAL_ORGANISATION)
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    page.context.clear_cookies()

    # 5. 刘思雨 visits again and approves: the 公示 is set by the holiday calendar.
    login(page, demo, "reviewer", DEMO_PASSWORD)
    page.goto(detail_url)
    with page.expect_navigation():
        page.get_by_role("link", name="记录复审走访").click()
    page.get_by_label("居住与生活状况").fill("与初审一致；查看了药费单据。")
    page.get_by_label("走访结论").fill("属实。")
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访记录").click()
    page.get_by_test_id("review-actions").get_by_role("link", name="复审", exact=True).click()
    page.get_by_label("通过", exact=True).check()
    page.get_by_label("审核意见").fill("复审通过，同意公示。")
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    household.refresh_from_db()
    assert household.status == Status.PUBLIC_NOTICE
    page.context.clear_cookies()

    # 6. 周敏 sees the 公示 dates; filing waits for its end (said once, next to the button).
    login(page, demo, "centre", DEMO_PASSWORD)
    page.goto(detail_url)
    panel = page.get_by_test_id("review-panel")
    expect(panel).to_contain_text(f"{household.notice_start:%m-%d} — {household.notice_end:%m-%d}")
    if household.notice_end.year not in (2026,):  # a year with no holiday calendar says so
        expect(page.get_by_test_id("unplanned-years")).to_contain_text("仅按周末计算")
    screenshot(page, "small-06-notice")
    page.goto(demo.url + reverse("cases:review_action", args=[household.pk, "file"]))
    page.get_by_test_id("confirm-action").click()
    expect(page.get_by_test_id("refusal-message")).to_contain_text("公示结束后才能建档")
    expect(page.get_by_text("公示结束后才能建档")).to_have_count(1)
    today = timezone.localdate()
    Household.objects.filter(pk=household.pk).update(notice_start=today - timedelta(days=9),
                                                     notice_end=today - timedelta(days=1))  # fmt: skip
    page.goto(demo.url + reverse("cases:review_action", args=[household.pk, "file"]))
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    household.refresh_from_db()
    assert household.status == Status.FILED and household.file_number
    expect(status).to_have_text("已建档")
    assert household.visits.get(step=Step.FIRST).observer.username == "observer"
    screenshot(page, "small-07-filed")

    # 7. The print sheet: each level's opinion, the dates, the 职工编号; A4 in Chinese and in English.
    print_url = demo.url + reverse("cases:household_print", args=[household.pk])
    page.goto(print_url)
    opinions = page.get_by_test_id("print-opinions")
    for text in ("街道工会入户核实属实", "徐卫民", "复审通过，同意公示。", "刘思雨", "周敏", "建档"):
        expect(opinions).to_contain_text(text)
    expect(page.get_by_test_id("print-file-number")).to_have_text(household.file_number)
    expect(page.get_by_test_id("print-filed-at")).to_have_text(f"{household.filed_at:%Y-%m-%d}")
    assert sheet_fits_a4(page)
    screenshot(page, "small-08-print-zh")
    assert print_to_pdf(page, "small-print-zh.pdf") == 1
    english(page, demo)
    page.goto(print_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert sheet_fits_a4(page)
    screenshot(page, "small-09-print-en")
    assert print_to_pdf(page, "small-print-en.pdf") <= 2

    # The file in English, desktop and phone.
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(detail_url)
    screenshot(page, "small-10-filed-en")
    english(phone, demo)
    phone.goto(detail_url)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    toggler, brand = (phone.locator(sel).bounding_box() for sel in (".navbar-toggler", ".navbar-brand"))
    assert abs(toggler["y"] - brand["y"]) < 12, "the menu button sits beside the portal's name"
    phone.screenshot(path=str(SCREENSHOTS / "small-11-phone-filed-en.png"))  # the first screen: the file is long
