"""The family's own channel on a 390 × 844 phone, by the worker 李梅 and the union's one 干事.

李梅 tests her eligibility (困难自测) without signing in → signs in with the code the SMS file backend
received → registers → applies with a photo of a proof and of the signed authorisation → the union's
only 干事 returns it for a missing school certificate → 李梅 reads the reason, fixes the form and
resubmits → the same 干事 gives the 初审 (she did not enter it: the worker did), the third party the
复审, the centre files it after the 公示 → 李梅 sees her file on 本人查档, with the first payment.
Screenshots of every step go to /tmp/shots-family1/ (or $FAMILY_SHOTS).
"""

import os
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard, Household, Status, Step
from cases.review import services as review
from hardship.models import Role, Union
from hardship.sms import sms_file_messages
from programs.assistance.models import Batch, Entitlement, Payment, Program, ProgramKind
from tests.factories import SocialOrganisationFactory, UnionFactory, user_with_role

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("FAMILY_SHOTS", "/tmp/shots-family1"))
PHONE_NUMBER = "13812345678"
APPLICANT_ID = "11010519491231002X"
CHILD_ID = "320206201003010015"
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c4944415408d763f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    # 360 px and up: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name


@pytest.fixture
def world(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND, settings.SMS_FILE_DIR, settings.SMS_FILE_ECHO = "hardship.sms.FileBackend", tmp_path, False
    city = UnionFactory(name="无锡市总工会", level=Union.Level.CITY)
    district = UnionFactory(name="惠山区总工会", level=Union.Level.DISTRICT, parent=city)
    street = UnionFactory(name="堰桥街道总工会", level=Union.Level.STREET, parent=district)
    company = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS, parent=street)
    HardshipStandard.objects.create(union=city, **WUXI_STANDARD)
    org = SocialOrganisationFactory(name="益家社工", contracted_by=city)
    return {
        "url": live_server.url, "company": company, "city": city, "org": org,
        "ganshi": user_with_role(Role.GRASSROOTS_STAFF, company, username="only_ganshi", full_name="唯一干事"),
        "centre": user_with_role(Role.CENTRE_STAFF, city, username="centre_j", full_name="周敏"),
        "reviewer": user_with_role(Role.THIRD_PARTY_REVIEWER, city, organisation=org, username="rev_j"),
    }  # fmt: skip


def _visit(actor, household, step):
    visit = review.VisitInput(visited_on=timezone.localdate(), living_conditions="租房，一室", findings="情况属实")
    review.visit_record(actor=actor, household_id=household.pk, step=step, visit=visit)


def test_a_worker_tests_applies_fixes_and_sees_the_filed_file_on_a_phone(world, phone_page, tmp_path):
    page, url = phone_page, world["url"]
    photo = tmp_path / "proof.png"
    photo.write_bytes(PHOTO)

    # 困难自测: no sign-in.
    page.goto(url + "/family/self-test/")
    page.select_option("#id_union", label="无锡市总工会")
    page.fill("#id_p0-age", "45")
    page.fill("#id_p0-income_wages", "1500")
    page.fill("#id_p1-age", "16")
    page.select_option("#id_p1-work_status", "student")
    page.fill("#id_expense_schooling", "2400")
    page.get_by_test_id("run-self-test").click()
    expect(page.get_by_test_id("tier")).to_have_text("特困")
    expect(page.get_by_test_id("per-capita")).to_contain_text("650.00")
    shot(page, "01-self-test-result")

    # Sign in with the code from the SMS file backend, register.
    page.get_by_test_id("go-apply").click()
    page.fill("#id_phone", PHONE_NUMBER)
    shot(page, "02-sign-in")
    page.get_by_test_id("send-code").click()
    code = re.search(r"\d{6}", sms_file_messages(PHONE_NUMBER)[-1]["text"]).group()
    page.fill("#id_code", code)
    shot(page, "03-code")
    page.get_by_test_id("verify-code").click()
    page.fill("#id_reg-name", "李梅")
    page.fill("#id_reg-id_number", APPLICANT_ID)
    page.get_by_test_id("register").click()
    expect(page.get_by_test_id("start-application")).to_be_visible()

    # 网上申请 with a photo of a proof and of the signed authorisation.
    page.get_by_test_id("start-application").click()
    page.select_option("#id_union", label="海溪公司工会")
    page.fill("#id_employer", "海溪公司")
    page.fill("#id_address", "惠山区堰桥街道西漳村 5 号")
    page.select_option("#id_main_cause", "serious_illness")
    page.fill("#id_m0-id_number", APPLICANT_ID)
    page.select_option("#id_m0-work_status", "employed")
    page.select_option("#id_m0-health", "cancer")
    page.fill("#id_m0-income_wages", "1500")
    page.fill("#id_m1-name", "李小明")
    page.select_option("#id_m1-relation", "child")
    page.fill("#id_m1-id_number", CHILD_ID)
    page.select_option("#id_m1-work_status", "student")
    page.select_option("#id_m1-school_level", "senior")
    page.fill("#id_expense_schooling", "2400")
    page.fill("#id_bank_name", "中国工商银行")
    page.fill("#id_bank_card", "6222020200112233445")
    page.set_input_files("#id_proofs", str(photo))
    page.set_input_files("#id_authorisation", str(photo))
    shot(page, "04-application-form")
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    shot(page, "05-submitted-status")
    household = Household.objects.get(head_id_number=APPLICANT_ID)
    assert household.attachments.count() == 2 and household.submitted_by is None

    # The union's only 干事 returns it for correction.
    review.first_review_decide(actor=world["ganshi"], household_id=household.pk, decision="return",
                               text="请补充李小明的在读证明，并核对孩子的学段")  # fmt: skip
    page.reload()
    expect(page.get_by_test_id("return-reasons")).to_contain_text("在读证明")
    shot(page, "06-returned-with-reasons")
    page.get_by_test_id("correct-application").click()
    page.select_option("#id_m1-school_level", "junior")
    page.set_input_files("#id_proofs", str(photo))
    page.get_by_test_id("submit-application").click()
    expect(page.get_by_test_id("status")).to_have_text("已提交")
    household.refresh_from_db()
    assert household.status == Status.SUBMITTED and household.attachments.count() == 3

    # The same 干事 gives the 初审 (the worker entered and submitted it), the third party the 复审, 建档.
    _visit(world["ganshi"], household, Step.FIRST)
    review.first_review_decide(actor=world["ganshi"], household_id=household.pk, decision="approve", text="属实")
    review.second_review_assign(actor=world["centre"], household_id=household.pk, organisation=world["org"])
    _visit(world["reviewer"], household, Step.SECOND)
    review.second_review_decide(actor=world["reviewer"], household_id=household.pk, decision="approve", text="属实")
    page.reload()
    expect(page.get_by_test_id("steps")).to_contain_text("公示期")
    shot(page, "07-public-notice")
    Household.objects.filter(pk=household.pk).update(notice_end=timezone.localdate() - timedelta(days=1))
    review.household_file(actor=world["centre"], household_id=household.pk)

    # The first payment (a batch paid to her card), then 本人查档.
    program = Program.objects.create(name="生活补贴", kind=ProgramKind.QUARTERLY, fund_union=world["city"])
    batch = Batch.objects.create(union=world["city"], period="2026-Q4", status="reconciled", created_by=world["centre"],
                                 decided_at=timezone.now(), freeze="done")  # fmt: skip
    entitlement = Entitlement.objects.create(household=household, program=program, period_key="2026-Q4", batch=batch,
                                             amount=Decimal("350.00"), union=household.union)  # fmt: skip
    Payment.objects.create(entitlement=entitlement, batch=batch, household=household, amount=Decimal("350.00"),
                           status="paid", payee_name="李梅", card_number="6222020200112233445",
                           settled_at=timezone.now())  # fmt: skip
    page.reload()
    expect(page.get_by_test_id("status")).to_have_text("已建档")
    shot(page, "08-filed-status")
    page.get_by_test_id("my-file").click()
    expect(page.get_by_test_id("tier")).to_contain_text("特困")
    expect(page.get_by_test_id("payments")).to_contain_text("**** 3445")
    expect(page.get_by_test_id("payments")).to_contain_text("350.00")
    assert APPLICANT_ID not in page.content() and "6222020200112233445" not in page.content()
    shot(page, "09-my-file")

    # A staff page is not reachable from the worker's session.
    page.goto(url + f"/cases/{household.pk}/")
    assert "/accounts/login/" in page.url
