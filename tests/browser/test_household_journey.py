"""A grassroots union worker builds a household file in the browser, the way they would at the desk.

王丽华 (``grassroots``) opens 家庭档案 → 新建档案, types in the head of household and a
schoolchild, each member's income (a month at a time), the cause and the bank card; sees the tier and the
per-capita income on the file; uploads a proof; opens the A4 print sheet; corrects the
phone number; and reads the same file on a phone. Screenshots of each step: screenshots/household-*.png.
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from cases.models import Household, Status
from hardship.demo import DEMO_PASSWORD
from hardship.identity import make_card_number, make_id_number
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

HEAD_ID = make_id_number("320206", date(1981, 4, 23), 517)  # odd sequence: a man
CHILD_ID = make_id_number("320206", date(2009, 9, 1), 528)  # even sequence: a girl, 16
CARD = make_card_number("621700151000123456")  # 19 digits, UnionPay, passes Luhn

# 12 months: wages 42000 + transfers 2400 = 44400; 刚性支出 medical 12000 + schooling 3600 = 15600.
# (44400 − 15600) ÷ 12 ÷ 2 = 1200.00 yuan, below Wuxi's 特困 line of 1440 → 特困.
PER_CAPITA = "1200.00"

# The smallest well-formed PDF: one empty A4 page.
PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def fill_member(row, *, relation, name, id_number, work, school="", health=None, monthly=None, insurance=None):
    """One 家庭成员 row, field by field, by the labels a caseworker reads."""
    row.get_by_label("与户主关系").select_option(label=relation)
    row.get_by_label("姓名").fill(name)
    row.get_by_label("身份证号").fill(id_number)
    row.get_by_label("就业/就学状况").select_option(label=work)
    if school:
        row.get_by_label("就学阶段").select_option(label=school)
    if health:
        row.get_by_label("健康状况").select_option(label=health)
    if monthly:  # the member's own income, typed a month at a time (saved × 12)
        row.get_by_label("收入填写方式").select_option(label="元/月（按月 × 12 计）")
        for source, amount in monthly.items():
            row.get_by_label(source).fill(amount)
    if insurance:
        row.get_by_label("医保").select_option(label=insurance)


def test_grassroots_builds_a_household_file(page, phone_page, demo, tmp_path):
    login(page, demo, "grassroots", DEMO_PASSWORD)

    # 家庭档案 → 新建档案
    page.locator("[data-testid=main-nav]").get_by_role("link", name="家庭档案").click()
    expect(page.locator("h1")).to_have_text("家庭档案")
    page.get_by_role("link", name="新建档案").click()
    expect(page.locator("h1")).to_have_text("新建家庭档案")
    # Only one union to choose from: it is already chosen.
    expect(page.get_by_label("所属工会")).to_have_value(re.compile(r"\d+"))
    screenshot(page, "household-01-new-form")

    rows = page.locator("fieldset.member-row")
    expect(rows.nth(0).get_by_label("与户主关系")).to_have_value("self")
    fill_member(rows.nth(0), relation="本人（户主）", name="顾国平", id_number=HEAD_ID, work="在职",
                health="慢性病", monthly={"工资性收入": "3500", "转移性收入": "200"}, insurance="职工医保")  # fmt: skip
    fill_member(rows.nth(1), relation="子女", name="顾思琪", id_number=CHILD_ID, work="在校学生",
                school="高中/中职")  # fmt: skip

    page.get_by_label("联系电话").fill("139 0510 8866")
    page.get_by_label("工作单位").fill("无锡海溪防腐设备有限公司")
    page.get_by_label("户口所在地").fill("无锡市惠山区")
    page.get_by_label("家庭住址").fill("惠山区堰桥街道堰新路 36 号 2 幢 301 室")
    page.get_by_label("住房情况").select_option(label="租房")
    page.get_by_label("医疗支出").fill("12000")
    page.get_by_label("教育支出").fill("3600")
    page.get_by_label("主要致困原因").select_option(label="患重特大疾病")
    page.get_by_label("子女上学").check()
    page.get_by_label("单亲家庭").check()
    page.get_by_label("开户银行").fill("中国建设银行")
    page.get_by_label("开户支行").fill("无锡堰桥支行")
    page.get_by_label("银行卡号").fill(" ".join(CARD[i : i + 4] for i in range(0, len(CARD), 4)))
    screenshot(page, "household-02-form-filled")

    with page.expect_navigation():
        page.get_by_role("button", name="保存档案").click()

    # The file: the tier and the per-capita income, and how they were computed.
    household = Household.objects.get(head_id_number=HEAD_ID)
    assert page.url == demo.url + reverse("cases:household_detail", args=[household.pk])
    expect(page.locator(".alert-success")).to_contain_text(f"人均月收入 {PER_CAPITA} 元，特困")
    expect(page.locator("h1")).to_contain_text("顾国平户")
    expect(page.locator("h1 .tier-badge")).to_have_text("特困")
    expect(page.locator("h1 .status-badge")).to_have_text("草稿")
    expect(page.get_by_test_id("per-capita")).to_have_text(PER_CAPITA)
    expect(page.locator(".calc-explain")).to_contain_text("44400.00 − 刚性支出 15600.00）÷ 12 ÷ 2 人")
    members = page.get_by_test_id("members")
    expect(members.locator("tbody tr")).to_have_count(2)
    expect(members).to_contain_text("顾思琪")
    expect(members).to_contain_text("高中/中职")
    expect(members.get_by_test_id("member-income").first).to_contain_text("44400.00")  # 3,500 and 200 a month
    expect(members).not_to_contain_text(CHILD_ID)  # masked by default
    expect(page.get_by_text(CARD)).to_have_count(0)
    expect(page.get_by_text(f"{CARD[:4]} **** **** {CARD[-4:]}", exact=True)).to_be_visible()
    expect(page.get_by_text("尚未上传证明材料。")).to_be_visible()
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("建立档案 · 王丽华")
    expect(history).to_contain_text("住房情况：自有住房 → 租房")
    expect(history).to_contain_text("次要致困原因：子女上学")
    screenshot(page, "household-03-detail")

    # A proof: the income certificate, a real (tiny) PDF from disk.
    proof = tmp_path / "收入证明-顾国平.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("材料类型").select_option(label="收入证明")
    page.get_by_label("文件（PDF、JPG、PNG，不超过 10 MB）").set_input_files(str(proof))
    with page.expect_navigation():
        page.get_by_role("button", name="上传").click()
    expect(page.locator(".alert-success")).to_contain_text("材料已上传。")
    attachments = page.get_by_test_id("attachments")
    expect(attachments).to_contain_text("收入证明")
    expect(attachments.get_by_role("link", name="收入证明-顾国平.pdf")).to_be_visible()
    assert household.attachments.get().file.read() == PDF
    screenshot(page, "household-04-proof-uploaded")

    # The A4 sheet for the paper archive.
    with page.expect_navigation():
        page.get_by_test_id("print").click()
    expect(page.locator("h1")).to_have_text("困难职工家庭档案（一户一档）")
    sheet = page.locator("article.sheet")
    expect(sheet).to_contain_text("顾国平")
    expect(sheet).to_contain_text("特困")
    expect(sheet).to_contain_text(f"{PER_CAPITA} 元")
    expect(sheet).to_contain_text("收入证明（收入证明-顾国平.pdf）")
    expect(sheet).not_to_contain_text(HEAD_ID)
    screenshot(page, "household-05-print-sheet")

    # A correction: the phone number was mistyped. The edit page keeps a blank row for a new member;
    # left blank, it is not saved (and does not block the save).
    with page.expect_navigation():
        page.get_by_role("link", name="返回档案").click()
    page.get_by_role("link", name="编辑").click()
    expect(page.locator("h1")).to_have_text("编辑 顾国平 户档案")
    expect(page.locator("fieldset.member-row")).to_have_count(3)
    expect(page.get_by_label("移出本户")).to_have_count(2)  # only existing members can be moved out
    page.get_by_label("联系电话").fill("13905108867")
    screenshot(page, "household-06-edit-form")
    with page.expect_navigation():
        page.get_by_role("button", name="保存档案").click()
    expect(page.locator(".alert-success")).to_contain_text("档案已保存。")
    expect(page.get_by_test_id("members").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("history")).to_contain_text("修改档案 · 王丽华")

    # The same file on a phone: the figures a worker needs on a home visit are readable.
    login(phone_page, demo, "grassroots", DEMO_PASSWORD)
    phone_page.goto(demo.url + reverse("cases:household_detail", args=[household.pk]))
    expect(phone_page.locator("h1")).to_contain_text("顾国平户")
    per_capita = phone_page.get_by_test_id("per-capita")
    expect(per_capita).to_have_text(PER_CAPITA)
    expect(per_capita).to_be_in_viewport()
    # Nothing wider than the screen: the page does not scroll sideways.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "household-07-phone-detail")

    household.refresh_from_db()
    assert household.status == Status.DRAFT
    assert household.per_capita_income == Decimal(PER_CAPITA)
