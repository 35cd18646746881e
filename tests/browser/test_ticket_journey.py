"""申诉 answered: a worker whose application was rejected appeals from a phone, the centre takes it up in
its ticket queue, replies, upholds it; the worker reads the answer, the file is back at 初审 and the SMS
messages are in the worker's messages. The public tip-off form on a phone too. Screenshots:
$FAMILY2_SHOTS (default /tmp/shots-family2)."""

import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard, Household, Status, Step
from cases.notices.models import FamilyNotification
from cases.review import services as review
from cases.services import household_create
from family.models import WorkerAccount
from hardship.models import Role, Union
from hardship.sms import sms_file_messages
from tests.cases.conftest import household_data, person
from tests.factories import UnionFactory, user_with_role

from .conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("FAMILY2_SHOTS", "/tmp/shots-family2"))
PHONE_NUMBER = "13905100001"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"], name


@pytest.fixture
def world(live_server, settings, tmp_path):
    settings.SMS_BACKEND, settings.SMS_FILE_DIR, settings.SMS_FILE_ECHO = "hardship.sms.FileBackend", tmp_path, False
    city = UnionFactory(name="无锡市总工会", level=Union.Level.CITY)
    district = UnionFactory(name="惠山区总工会", level=Union.Level.DISTRICT, parent=city)
    street = UnionFactory(name="堰桥街道总工会", level=Union.Level.STREET, parent=district)
    company = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS, parent=street)
    HardshipStandard.objects.create(union=city, **WUXI_STANDARD)
    entrant = user_with_role(Role.GRASSROOTS_STAFF, company, username="entrant_t", full_name="王丽华")
    first = user_with_role(Role.GRASSROOTS_STAFF, company, username="first_t", full_name="张干事")
    caseworker = user_with_role(Role.CASEWORKER, street, username="visit_t", full_name="李走访")
    user_with_role(Role.CENTRE_STAFF, city, username="centre_t", full_name="周敏")
    household = household_create(actor=entrant, union=company, data=household_data(phone=PHONE_NUMBER),
                                 members=[person()])  # fmt: skip
    review.household_submit(actor=entrant, household_id=household.pk)
    visit = review.VisitInput(visited_on=timezone.localdate(), living_conditions="两室一厅", findings="情况属实")
    review.visit_record(actor=caseworker, household_id=household.pk, step=Step.FIRST, visit=visit)
    review.first_review_decide(actor=first, household_id=household.pk, decision="reject", text="工资收入超过标准")
    WorkerAccount.objects.create(phone=PHONE_NUMBER, name="蒋建华", household=household)
    return {"url": live_server.url, "server": live_server, "household": household}


def test_a_worker_appeals_a_rejection_and_the_centre_upholds_it(world, phone_page, page):
    url, worker = world["url"], phone_page

    # The worker signs in with the code from the SMS file backend and appeals from the phone.
    worker.goto(url + "/family/sign-in/")
    worker.fill("#id_phone", PHONE_NUMBER)
    worker.get_by_test_id("send-code").click()
    code = re.search(r"\d{6}", sms_file_messages(PHONE_NUMBER)[-1]["text"]).group()
    worker.fill("#id_code", code)
    worker.get_by_test_id("verify-code").click()
    worker.get_by_test_id("my-appeals").click()
    worker.get_by_test_id("new-appeal").click()
    worker.select_option("#id_kind", "appeal")
    worker.select_option("#id_subject", "rejection")
    worker.fill("#id_text", "工资单里含一次性补发的年终奖，平时月收入只有 1800 元。")
    shot(worker, "01-worker-appeal-form")
    worker.locator("[data-testid=appeal-form] button[type=submit]").click()
    expect(worker.get_by_test_id("ticket-status")).to_have_text("待受理")
    shot(worker, "02-worker-appeal-submitted")

    # The centre: the queue → the ticket → a reply → upheld.
    login(page, world["server"], "centre_t", "Secret#2026")
    page.goto(url + "/cases/tickets/")
    expect(page.get_by_test_id("ticket-queue")).to_contain_text("蒋建华户")
    shot(page, "03-staff-ticket-queue")
    page.get_by_test_id("ticket-queue").get_by_role("link").first.click()
    page.fill("#id_text", "已收到您的申诉，正在核对工资单。")
    page.locator("[data-action=reply]").click()
    expect(page.get_by_test_id("ticket-replies")).to_contain_text("正在核对工资单")
    expect(page.get_by_test_id("ticket-status")).to_have_text("办理中")
    shot(page, "04-staff-ticket-replied")
    page.fill("#id_outcome", "一次性补发不计入月收入，申诉成立，重新初审。")
    page.locator("[data-action=uphold]").click()
    expect(page.get_by_test_id("ticket-status")).to_have_text("已办结：成立")
    shot(page, "05-staff-ticket-upheld")
    assert Household.objects.get(pk=world["household"].pk).status == Status.FIRST_REVIEW

    # The file's page says it: back at 初审, the appeal on its history.
    page.goto(url + f"/cases/{world['household'].pk}/")
    expect(page.get_by_test_id("review-panel")).to_contain_text("申诉成立")
    shot(page, "06-staff-file-after-appeal")

    # The worker reads the answer, the status and the messages (in-app and by SMS).
    worker.reload()
    expect(worker.get_by_test_id("family-replies")).to_contain_text("申诉成立，重新初审")
    expect(worker.get_by_test_id("ticket-status")).to_have_text("已办结：成立")
    shot(worker, "07-worker-appeal-answered")
    worker.goto(url + "/family/messages/")
    expect(worker.get_by_test_id("family-notices")).to_contain_text("有新的答复")
    shot(worker, "08-worker-messages")
    texts = [m["text"] for m in sms_file_messages(PHONE_NUMBER)]
    assert any("有新的答复" in t for t in texts)
    assert FamilyNotification.objects.filter(household=world["household"], event="ticket_reply").count() == 2


def test_an_anonymous_tip_off_from_a_phone(world, phone_page):
    Household.objects.filter(pk=world["household"].pk).update(status=Status.PUBLIC_NOTICE)
    phone_page.goto(world["url"] + f"/cases/public/tip-off/?case={world['household'].pk}")
    phone_page.fill("#id_text", "该户家中开有小超市，收入未申报。")
    shot(phone_page, "09-public-tip-off")
    phone_page.locator("[data-testid=public-ticket-form] button[type=submit]").click()
    expect(phone_page.get_by_test_id("ticket-status")).to_have_text("待受理")
    shot(phone_page, "10-public-tip-off-code")
