"""The first journey in a real browser: every demo role logs in, sees its work and its menu, logs out.

Runs against pytest-django's live server with the demo data of ``seed_demo``;
each test saves screenshots into screenshots/ for a person to look at.
"""

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from hardship.demo import DEMO_PASSWORD, USERS
from hardship.models import Role
from hardship.navigation import nav_items
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

DEMO_ROLES = {username: role for username, _name, role, _union, _note in USERS}
# One demo user per role (binhu is huishan's sibling district: the scope tests cover it).
JOURNEY_USERS = [
    "grassroots",
    "caseworker",
    "reviewer",
    "centre",
    "huishan",
    "approver",
    "observer",
    "enterprise",
    "admin",
]


def expected_nav(role: str) -> list[str]:
    """The main-nav labels a user holding only ``role`` should see, in order."""
    labels = [str(item.label) for item in nav_items() if role in item.roles]
    if role == Role.SYSTEM_ADMIN:  # seed_demo makes the system admin is_staff
        labels.append("系统管理")
    return labels


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


def login_url(live_server) -> str:
    return live_server.url + reverse("login")


def test_login_page(page, demo):
    page.goto(login_url(demo))

    expect(page.locator("h1")).to_contain_text("帮扶")
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("#id_password")).to_be_visible()
    screenshot(page, "login")


def test_wrong_password_shows_a_chinese_error(page, demo):
    login(page, demo, "grassroots", "not-the-password")

    assert page.url.startswith(login_url(demo))
    expect(page.get_by_role("alert")).to_contain_text("请输入一个正确的")
    expect(page.locator("#id_username")).to_have_value("grassroots")
    screenshot(page, "login-wrong-password")


@pytest.mark.parametrize("username", JOURNEY_USERS)
def test_each_role_sees_its_work_and_menu_then_logs_out(page, demo, username):
    role = DEMO_ROLES[username]

    login(page, demo, username, DEMO_PASSWORD)

    assert page.url == demo.url + reverse("my_work")
    expect(page.locator("h1")).to_have_text("我的工作")
    section = page.locator(f'section[data-role="{role}"]')
    expect(section).to_have_count(1)
    expect(section.locator(".card-header")).to_contain_text(str(Role(role).label))
    # The menu's entries in order, those that did not fit the line included (under 「更多」, nav_more.js).
    nav = page.locator("[data-testid=main-nav] a:not([data-testid=nav-more])")
    expect(nav).to_have_text(expected_nav(role))
    expect(page.locator("[data-testid=main-nav] .nav-link.active")).to_have_text("我的工作")
    screenshot(page, f"role-{username}")

    page.locator("[data-testid=user-menu]").click()
    logout = page.get_by_role("button", name="退出登录")
    expect(logout).to_be_visible()
    expect(page.locator(".dropdown-menu.show")).to_contain_text(str(Role(role).label))
    screenshot(page, f"role-{username}-menu")
    with page.expect_navigation():
        logout.click()

    assert page.url.startswith(login_url(demo))
    expect(page.locator("#id_username")).to_be_visible()
    page.goto(demo.url + reverse("my_work"))
    expect(page).to_have_url(re.compile(re.escape(login_url(demo))))


def test_district_centre_on_a_phone_sees_only_its_own_district(phone_page, demo):
    page = phone_page
    login(page, demo, "huishan", DEMO_PASSWORD)

    nav_link = page.locator("[data-testid=main-nav]").get_by_role("link", name="组织机构")
    expect(nav_link).to_be_hidden()  # collapsed behind the toggler on a phone
    page.locator(".navbar-toggler").click()
    expect(nav_link).to_be_visible()
    page.wait_for_selector("#mainNav.collapse.show")  # the collapse animation has finished
    screenshot(page, "phone-huishan-menu")
    with page.expect_navigation():
        nav_link.click()

    expect(page.locator("h1")).to_have_text("组织机构")
    table = page.locator("table")
    expect(table.get_by_role("link", name="堰桥街道总工会")).to_be_visible()
    expect(table.get_by_role("link", name="惠山区总工会")).to_be_visible()
    expect(page.get_by_text("滨湖区总工会")).to_have_count(0)
    expect(page.get_by_text("蠡湖街道总工会")).to_have_count(0)
    screenshot(page, "phone-huishan-unions")
