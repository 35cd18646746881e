"""The dashboard in a real browser: charts drawn by the server, each with its table; a screenshot to look at."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from hardship.demo import DEMO_PASSWORD
from tests.browser.conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_the_centre_sees_the_dashboard_with_charts_and_tables(page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    login(page, live_server, "centre", DEMO_PASSWORD)

    page.goto(live_server.url + reverse("reports:dashboard"))

    expect(page.locator("h1")).to_have_text("数据看板")
    expect(page.locator("svg.chart")).to_have_count(5)  # no money paid in the demo: its chart says so
    expect(page.get_by_test_id("exit-definition")).to_contain_text("脱困率")
    expect(page.get_by_test_id("tier-table")).to_be_visible()
    screenshot(page, "dashboard")
