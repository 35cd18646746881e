"""Browser tests: one headless Debian Chromium per session, driven by Playwright's sync API.

Playwright never downloads a browser here: it launches ``CHROMIUM`` (Debian's
/usr/bin/chromium, or $CHROMIUM_PATH). Tests marked ``browser`` fail in CI and
skip on a laptop when it is missing (see tests/conftest.py).
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import CHROMIUM, ROOT

SCREENSHOTS = ROOT / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Run the browser tests last (after pytest-django's own ordering, which is kept).

    While Playwright is open its asyncio loop counts as running in this thread,
    so the session's one browser must only be started once every other test is done.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # The browser marker's setup hook fails (CI) or skips (laptop) first;
        # this only guards a test that uses the fixture without the marker.
        pytest.skip(f"Chromium at {CHROMIUM} is not available here")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and
    # Django's ORM refuses to run under one (SynchronousOnlyOperation) unless
    # told otherwise. Set only while Playwright is open, not at import: a
    # module-level setting leaks into every test's subprocesses (e.g. the
    # production `check --deploy` test, where it is an error).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser, viewport, **extra):
    context = browser.new_context(viewport=viewport, locale="zh-CN", **extra)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser):
    """A desktop page (1280×800, zh-CN) in a fresh context: no cookies carried between tests."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390×844, zh-CN, touch) in a fresh context."""
    context, page = _new_page(browser, PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page PNG as screenshots/<name>.png (git-ignored) and return its path."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else f"{name}.png")
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str) -> None:
    """Open the login page, fill the form and submit; waits for the next page to load."""
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form:has(#id_username) button[type=submit]").click()
