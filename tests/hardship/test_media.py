"""Attachments are never served by a URL route: only the scoped download view hands them out.

With DEBUG on (the ``make run`` trial) the outside test read every union's ID-card photos at their
predictable /media/ paths. The URLconf is reloaded with DEBUG=True, as runserver would load it.
"""

import importlib

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import clear_url_caches, reverse

import hardship.urls
from cases.models import Attachment
from hardship.models import Role
from tests.hardening.matrix_world import PDF, Persona, build_world


@pytest.fixture
def debug_urlconf():
    with override_settings(DEBUG=True):
        importlib.reload(hardship.urls)
        clear_url_caches()
        yield
    importlib.reload(hardship.urls)
    clear_url_caches()


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return build_world()


def _client(world, role: str, scope: str) -> Client:
    client = Client()
    client.force_login(world.users[Persona(role, scope)])
    return client


def test_with_debug_on_no_signed_in_user_gets_an_attachment_at_its_media_path(world, debug_urlconf):
    attachment = Attachment.objects.get(pk=world.objects[("own", "attachment")])
    assert (settings.MEDIA_ROOT / attachment.file.name).exists()
    media_path = f"{settings.MEDIA_URL}{attachment.file.name}"

    for scope in ("own", "sibling"):
        response = _client(world, Role.CENTRE_STAFF, scope).get(media_path)

        assert response.status_code == 404, scope
        assert PDF not in response.content


def test_with_debug_on_the_scoped_download_still_serves_it_to_a_user_in_scope_only(world, debug_urlconf):
    attachment = Attachment.objects.get(pk=world.objects[("own", "attachment")])
    url = reverse("cases:attachment_download", args=[attachment.household_id, attachment.pk])

    in_scope = _client(world, Role.CENTRE_STAFF, "own").get(url)
    out_of_scope = _client(world, Role.CENTRE_STAFF, "sibling").get(url)

    assert in_scope.status_code == 200
    assert b"".join(in_scope.streaming_content) == PDF
    assert out_of_scope.status_code == 404
