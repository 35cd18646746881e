"""Login, logout, lockout, session expiry, password change and CSRF."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from hardship.middleware import IdleSessionMiddleware
from hardship.models import AuditEvent, Notification, Role, Union, User
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
PASSWORD = "Secret#2026"


@pytest.fixture
def staff(tree):
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], username="wanglihua")


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_with_the_right_password_lands_on_my_work_and_is_audited(client, staff):
    response = _login(client, "wanglihua", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("my_work")
    assert AuditEvent.objects.filter(verb="auth.login", actor=staff).count() == 1


def test_wrong_password_shows_a_chinese_error(client, staff):
    response = _login(client, "wanglihua", "wrong-password")

    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_five_failures_lock_the_account_even_for_the_right_password(client, staff):
    for _ in range(5):
        _login(client, "wanglihua", "wrong-password")

    response = _login(client, "wanglihua", PASSWORD)

    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failures_do_not_lock(client, staff):
    for _ in range(4):
        _login(client, "wanglihua", "wrong-password")

    assert _login(client, "wanglihua", PASSWORD).status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, staff):
    client.force_login(staff)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert client.get(reverse("my_work")).status_code == 302


def test_an_expired_session_sends_the_user_back_to_login(client, staff):
    client.force_login(staff)
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    response = client.get(reverse("my_work"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sessions_expire_after_two_idle_hours(client, staff):
    client.force_login(staff)
    client.get(reverse("my_work"))

    assert client.session.get_expiry_age() == 2 * 60 * 60
    assert client.session.get_expire_at_browser_close()


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _pushed_minutes_ago(client, minutes):
    """As if the session's expiry was last pushed forward ``minutes`` ago."""
    session = client.session
    session[IdleSessionMiddleware.KEY] -= minutes * 60
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(hours=2, minutes=-minutes)
    )


def test_a_page_pushes_an_idle_sessions_expiry_two_hours_forward(client, staff):
    client.force_login(staff)
    client.get(reverse("my_work"))
    _pushed_minutes_ago(client, 30)

    client.get(reverse("my_work"))

    assert _expiry(client) > timezone.now() + timedelta(hours=2, minutes=-1)


def test_pages_within_the_minute_do_not_rewrite_the_session(client, staff):
    # A write and a commit per page was a third of the household file's queries.
    client.force_login(staff)
    client.get(reverse("my_work"))
    pushed = _expiry(client)

    for _ in range(3):
        assert client.get(reverse("my_work")).status_code == 200

    assert _expiry(client) == pushed


def test_a_signed_in_page_reads_the_user_their_roles_and_the_bells_count_in_one_query(client, staff):
    Notification.objects.create(user=staff, text="蒋建华户：待初审", url="/")
    client.force_login(staff)

    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("my_work")).content.decode()

    tables = ('"hardship_user"', '"hardship_roleassignment"', '"hardship_notification"')
    people = [q["sql"] for q in queries if any(table in q["sql"] for table in tables)]
    assert len(people) == 1 and all(table in people[0] for table in tables)
    assert 'data-testid="unread-count">1<' in page


def test_a_user_whose_union_was_closed_stays_signed_in_with_no_role(client, tree, staff):
    client.force_login(staff)
    Union.objects.filter(pk=tree["company"].pk).update(is_active=False)

    response = client.get(reverse("my_work"))

    assert response.status_code == 200 and response.context["user"] == staff
    assert "尚未被授予任何角色" in response.content.decode()


def test_a_deactivated_user_is_signed_out_at_the_next_page(client, staff):
    client.force_login(staff)
    User.objects.filter(pk=staff.pk).update(is_active=False)

    response = client.get(reverse("my_work"))

    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_password_change_keeps_the_user_logged_in_and_is_audited(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Newer#Pass2026", "new_password2": "Newer#Pass2026"},
    )

    assert response.status_code == 302
    assert client.get(reverse("my_work")).status_code == 200
    staff.refresh_from_db()
    assert staff.check_password("Newer#Pass2026")
    assert AuditEvent.objects.filter(verb="auth.password_change", actor=staff).exists()


def test_password_change_with_a_wrong_old_password_changes_nothing(client, staff):
    client.force_login(staff)

    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Newer#Pass2026", "new_password2": "Newer#Pass2026"},
    )

    assert response.status_code == 200
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_login_without_a_csrf_token_is_refused(staff):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "wanglihua", "password": PASSWORD})

    assert response.status_code == 403


PUBLIC = {"login", "set_language", "health", "health_live", "health_ready", "metrics"}  # metrics: by address (ops)
# Anyone may complain or report a case in 公示, and read the replies with the ticket's code (cases.tickets).
PUBLIC |= {"cases:complaint_new", "cases:tip_off_new", "cases:ticket_public"}


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the admin has its own login; checked below
            if pattern.namespace == "api":
                continue  # token-authenticated: answers 401 JSON, never a redirect (tests/api)
            if pattern.namespace == "family":
                continue  # the worker's pages send to the worker sign-in, not the staff login (tests/family)
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _walk(pattern, ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}", pattern


def _sample_args(pattern):
    return [1 for _ in pattern.pattern.regex.groupindex] if pattern.pattern.regex.groupindex else []


def test_anonymous_users_are_sent_to_login_from_every_page(client, tree):
    checked = 0
    for name, pattern in _walk(get_resolver()):
        if name in PUBLIC or name.startswith("djdt"):
            continue
        url = reverse(name, args=_sample_args(pattern))
        response = client.get(url)
        if name.startswith("family:"):
            # The family channel: its public pages (self-test, sign-in) answer; a worker's page sends an
            # anonymous visitor to the worker sign-in (a code, not a password), never to the staff login.
            assert response.status_code in (200, 302, 405), name
            if response.status_code == 302:
                assert response.url.startswith(reverse("family:sign_in")), name
            continue
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name
        checked += 1
    assert checked >= 4


def test_anonymous_users_are_sent_to_login_from_the_admin(client):
    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "login" in response.url
