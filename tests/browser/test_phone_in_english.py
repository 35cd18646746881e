"""The pages a one-干事 union and its families use, on a 390 × 844 phone in English, with the demo logins.

王丽华 (``grassroots``) reads the household list and a file; 徐卫民 (``street``) opens his 待初审 queue,
records the visit and gives the 初审; the demo worker reads 我的消息 and marks them read. On every page
nothing is wider than the phone — neither the page nor a table scrolled sideways inside its card —
and the page's own words are English (no full-width brackets, colons or semicolons of its own: the
demo's names, addresses and message texts are data). Screenshots: screenshots/phone-en-*.png.
"""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Household, Status
from cases.review import services as review
from cases.services import household_create
from family.models import WorkerAccount
from hardship.demo import DEMO_PASSWORD
from hardship.identity import make_id_number
from hardship.models import Union, User
from hardship.sms import sms_file_messages
from tests.browser.conftest import login, screenshot
from tests.cases.conftest import household_data, person

pytestmark = pytest.mark.browser

FULL_WIDTH = re.compile(r"[（）：；]")


@pytest.fixture
def demo(live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMS_BACKEND = "hardship.sms.FileBackend"
    settings.SMS_FILE_DIR = tmp_path / "sms"
    settings.SMS_FILE_ECHO = False
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_family_demo", stdout=io.StringIO())
    return live_server


def english(page, live_server) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def fits_the_phone(page, name: str) -> None:
    """No sideways scrolling: the page, and every scrolling table wrapper, within its width."""
    screenshot(page, f"phone-en-{name}")
    assert page.evaluate("document.documentElement.lang") == "en", name
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
    wide = page.evaluate(
        "() => [...document.querySelectorAll('.table-responsive')]"
        ".filter(w => w.offsetParent && w.scrollWidth > w.clientWidth + 1)"
        ".map(w => (w.querySelector('table') || w).dataset.testid || w.className)"
    )
    assert wide == [], (name, wide)


def own_words(page) -> str:
    """The page's text without what the demo's data brought: the names, unions, addresses and texts."""
    text = page.locator("main").inner_text()
    for household in Household.objects.all():
        text = text.replace(household.address, "")
    for user in User.objects.all():
        text = text.replace(user.display_name, "")
    return text


def _submitted_case(grassroots) -> Household:
    """A case 王丽华 entered and submitted at 海溪公司: it waits for the street's 初审."""
    union = Union.objects.get(code="WX-HS-YQ-01")
    head = person(name="孙丽", id_number=make_id_number("320206", date(1980, 2, 3), 551))
    household = household_create(actor=grassroots, union=union, data=household_data(phone="13905100078"),
                                 members=[head])  # fmt: skip
    review.household_submit(actor=grassroots, household_id=household.pk)
    return Household.objects.get(pk=household.pk)


def test_a_one_staff_union_and_its_family_on_a_phone_in_english(phone_page, demo):
    page = phone_page
    english(page, demo)
    grassroots = User.objects.get(username="grassroots")
    case = _submitted_case(grassroots)

    # 王丽华: the list and a filed file
    login(page, demo, "grassroots", DEMO_PASSWORD)
    page.goto(demo.url + "/cases/")
    expect(page.get_by_test_id("household-table")).to_contain_text(case.head_name)
    fits_the_phone(page, "household-list")
    filed = Household.objects.get(union=case.union, status=Status.FILED)
    page.goto(demo.url + f"/cases/{filed.pk}/")
    fits_the_phone(page, "file")
    assert not FULL_WIDTH.findall(own_words(page))

    # 徐卫民: the queue, the visit, the 初审
    page.context.clear_cookies()
    english(page, demo)
    login(page, demo, "street", DEMO_PASSWORD)
    page.goto(demo.url + "/cases/review/")
    fits_the_phone(page, "review-queue")
    page.get_by_test_id("queue-table").get_by_role("link", name=case.head_name).click()
    page.locator("a[href$='/visits/first/']").first.click()
    page.fill("input[name=visited_on]", timezone.localdate().isoformat())
    page.check("input[name=address_confirmed]")
    page.fill("textarea[name=living_conditions]", "two rooms")
    page.fill("textarea[name=findings]", "as stated")
    with page.expect_navigation():
        page.get_by_role("button", name="Save visit record").click()
    fits_the_phone(page, "file-after-visit")
    page.get_by_test_id("review-actions-top").get_by_role("link", name="First review", exact=True).click()
    expect(page.get_by_test_id("confirm-action")).to_have_text(re.compile(r"Confirm: First review"))
    fits_the_phone(page, "first-review")
    assert not FULL_WIDTH.findall(own_words(page))
    page.get_by_label("Approved").check()
    with page.expect_navigation():
        page.get_by_test_id("confirm-action").click()
    assert Household.objects.get(pk=case.pk).status == Status.SECOND_REVIEW

    # The demo worker: the code notice in English, 我的消息 read only with the button
    page.context.clear_cookies()
    english(page, demo)
    phone = WorkerAccount.objects.get(household__isnull=False).phone
    page.goto(demo.url + "/family/sign-in/")
    page.fill("input[name=phone]", phone)
    with page.expect_navigation():
        page.get_by_test_id("send-code").click()
    expect(page.locator("main")).to_contain_text("a code has been sent to it")
    code = re.search(r"\d{6}", sms_file_messages(phone)[-1]["text"]).group()
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.get_by_test_id("verify-code").click()
    unread = int(page.get_by_test_id("unread-notices").inner_text())
    fits_the_phone(page, "family-home")
    page.get_by_test_id("my-notices").click()
    expect(page.get_by_test_id("unread-notice")).to_have_count(unread)
    page.reload()
    expect(page.get_by_test_id("unread-notice")).to_have_count(unread)  # reading changes nothing
    fits_the_phone(page, "family-messages")
    with page.expect_navigation():
        page.get_by_test_id("mark-notices-read").click()
    expect(page.get_by_test_id("unread-notice")).to_have_count(0)
    page.goto(demo.url + "/family/my-file/")
    fits_the_phone(page, "family-my-file")
    assert not FULL_WIDTH.findall(own_words(page)) and "dibao" in own_words(page)
