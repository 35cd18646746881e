"""The English menu fits a 1366 px laptop screen for every demo role: one line, nothing cut off.

Screenshots: screenshots/menu-en-1366-<user>.png.
"""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hardship.demo import DEMO_PASSWORD, USERS
from hardship.models import User
from hardship.navigation import nav_for
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", stdout=io.StringIO())
    return live_server


@pytest.mark.parametrize("username", [u[0] for u in USERS])
def test_the_english_menu_fits_at_1366_px(browser, demo, username):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    context.add_cookies([{"name": "django_language", "value": "en", "url": demo.url}])
    page = context.new_page()
    try:
        login(page, demo, username, DEMO_PASSWORD)
        assert page.locator("html").get_attribute("lang") == "en"
        screenshot(page, f"menu-en-1366-{username}")
        # One row: every menu link on the line of the first, the user's menu and the switch inside the bar.
        tops = page.locator(".navbar .nav-link, .navbar .language-switch").evaluate_all(
            "els => els.filter(e => e.offsetParent).map(e => { const r = e.getBoundingClientRect();"
            " return Math.round(r.top + r.height / 2); })"
        )
        assert max(tops) - min(tops) <= 6, f"the menu wraps: {tops}"
        switch = page.locator(".navbar .language-switch .btn").evaluate(
            "e => { const r = e.getBoundingClientRect(); return [r.right, r.height]; }"
        )
        assert switch[0] <= LAPTOP["width"] and switch[1] < 40, f"the language switch is cut or wraps: {switch}"
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        # Nothing is lost: what does not fit is one click away under 「More」.
        expected = len(nav_for(User.objects.get(username=username), "/"))
        shown = page.locator("[data-testid=main-nav] > li:not(#nav-more) .nav-link").count()
        more = page.get_by_test_id("nav-more")
        if shown < expected:
            more.click()
            moved = page.locator("#nav-more .dropdown-menu .dropdown-item")
            expect(moved.first).to_be_visible()
            assert shown + moved.count() == expected
            screenshot(page, f"menu-en-1366-{username}-more")
        else:
            expect(more).to_be_hidden()
    finally:
        context.close()
