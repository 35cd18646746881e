"""The session engine (hardship.sessions): Django's database sessions with the read prepared — a live
session signs its user in, an expired or unknown one reads as signed out, exactly as Django's own store."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore as DjangoStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from hardship.models import Role
from hardship.sessions import SessionStore
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_live_expired_and_unknown_sessions_read_as_djangos_own_store_reads_them():
    live = SessionStore()
    live["answer"] = 42
    live.create()
    expired = SessionStore()
    expired["answer"] = 7
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    for key, expected in ((live.session_key, {"answer": 42}), (expired.session_key, {}), ("nosuchkey12345", {}),
                          (None, {})):  # fmt: skip
        ours, theirs = SessionStore(key), DjangoStore(key)
        assert dict(ours.items()) == dict(theirs.items()) == expected
        assert ours.session_key == theirs.session_key  # an expired or unknown key is dropped by both


def test_a_signed_in_session_that_expires_sends_the_next_page_to_the_login(client, tree):
    user = user_with_role(Role.CENTRE_STAFF, tree["city"])
    client.force_login(user)
    url = reverse("cases:household_list")
    assert client.get(url).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get(url)
    assert response.status_code == 302 and reverse("login") in response["Location"]
