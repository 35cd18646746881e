"""Security headers on real responses, no inline script or style anywhere, HSTS under the
production settings, login lockout, and `check --deploy` clean."""

import importlib
import io
import os
import re
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from cases.models import Household
from hardship.models import User
from tests.conftest import ROOT

PRODUCTION_ENV = {
    "SECRET_KEY": "a" + secrets.token_urlsafe(60),
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ALLOWED_HOSTS": "portal.union.example",
}

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def assert_strict_policy(response) -> None:
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"], "scripts from this origin only: no 'unsafe-inline', no 'unsafe-eval'"
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]


def assert_no_inline_code(html: str, where: str) -> None:
    for pattern in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ATTRIBUTE, STYLE_ELEMENT):
        found = pattern.search(html)
        assert found is None, f"{where}: {found.group(0)[:120]!r} would be blocked by the CSP"


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def test_the_templates_have_no_inline_scripts_handlers_or_styles():
    templates = [path for path in ROOT.rglob("*.html") if ".venv" not in path.parts and "staticfiles" not in path.parts]
    assert len(templates) > 40
    for path in templates:
        assert_no_inline_code(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))


def test_the_login_page_carries_the_security_headers(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert_strict_policy(response)
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert_no_inline_code(response.content.decode(), "login")


@pytest.mark.parametrize(
    "username, pages",
    [
        ("centre", ["my_work", "cases:household_list", "cases:household_create", "cases:review_queue",
                    "programs:program_list", "programs:batch_list", "programs:grant_list", "reports:dashboard",
                    "hardship:union_list", "hardship:notifications", "password_change"]),
        ("observer", ["hardship:audit_list", "programs:ledger", "workstudy:home"]),
        ("enterprise", ["workstudy:home"]),
    ],
)  # fmt: skip
def test_every_portal_page_is_served_under_the_strict_policy_and_needs_nothing_inline(demo, username, pages):
    client = Client()
    client.force_login(User.objects.get(username=username))
    urls = [reverse(name) for name in pages]
    if username == "centre":
        household = Household.objects.order_by("pk").first()
        urls += [reverse("cases:household_detail", args=[household.pk]), reverse("cases:household_list") + "?q=蒋"]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert response["X-Frame-Options"] == "DENY"
        assert_no_inline_code(response.content.decode(), url)


def test_error_pages_and_the_admin_carry_the_policy_too(demo):
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="admin"))

    missing = client.get("/cases/999999999/")
    admin = client.get("/admin/")

    assert missing.status_code == 404 and "找不到该页面或记录" in missing.content.decode()
    assert admin.status_code == 200
    for response in (missing, admin):
        assert_strict_policy(response)
        assert response["X-Frame-Options"] == "DENY"


def test_only_the_api_docs_page_may_use_inline_styles_and_never_inline_scripts(demo):
    client = Client()
    client.force_login(User.objects.get(username="centre"))

    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in csp["style-src"]
    assert INLINE_SCRIPT.search(response.content.decode()) is None


@pytest.fixture
def production(settings, monkeypatch):
    """The security settings of hardship.settings.production, applied to this test."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    module = importlib.reload(importlib.import_module("hardship.settings.production"))
    for name in ("SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
                 "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE",
                 "CSRF_COOKIE_SECURE"):  # fmt: skip
        setattr(settings, name, getattr(module, name))
    return module


def test_production_sends_hsts_behind_the_tls_proxy_and_redirects_plain_http(production, db):
    client = Client()

    proxied = client.get(reverse("login"), headers={"X-Forwarded-Proto": "https"})
    plain = client.get(reverse("login"))

    assert proxied.status_code == 200
    assert proxied["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_strict_policy(proxied)
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert proxied.cookies["csrftoken"]["secure"] is True


def test_no_hsts_outside_production(client, db):
    assert "Strict-Transport-Security" not in client.get(reverse("login"), secure=True)


def test_check_deploy_is_clean_with_the_production_settings():
    env = {**os.environ, **PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": "hardship.settings.production"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_fifth_wrong_password_locks_the_login_even_for_the_right_password(client, db, tree):
    from tests.factories import UserFactory

    UserFactory(username="zhangwei")
    UserFactory(username="lina")
    login = reverse("login")
    for _attempt in range(4):
        wrong = client.post(login, {"username": "zhangwei", "password": "guess-123"})
        assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert client.post(login, {"username": "zhangwei", "password": "guess-123"}).status_code == 429  # the 5th

    locked = client.post(login, {"username": "zhangwei", "password": "Secret#2026"})

    assert locked.status_code == 429
    assert "登录失败次数过多，账号已暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another user at the same address is not locked out.
    other = client.post(login, {"username": "lina", "password": "Secret#2026"})
    assert other.status_code == 302 and client.session["_auth_user_id"]
