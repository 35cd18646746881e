"""Every page, walked from the URLconf (the permission matrix's walker and world): control characters in
query parameters are a 400, never a 500, and every signed-in answer is ``Cache-Control: no-store, private``.

The outside test found ``?q=%00`` a 500 on the list, export and audit pages (PostgreSQL refuses NUL in
a text value) and no no-store on signed-in pages (union offices share PCs). Admin URLs are walked as the
superuser, the others as the centre staff of the grassroots union that owns the world's objects.
"""

from urllib.parse import urlencode

from django.test import Client
from django.urls import reverse

from hardship.models import Role

from . import test_permission_matrix as matrix
from .matrix_world import Persona
from .test_permission_matrix import EXPECTED, _snapshot, _url, walk_urlconf

# The matrix's world, built once for this module too.
world = matrix.permission_world

CENTRE = Persona(Role.CENTRE_STAFF.value, "own")
SUPERUSER = Persona("superuser", "-")
# NUL as a value (the search box; the audit page's filter), ESC inside a value, DEL as a name, a unit
# separator in a second parameter.
CONTROL_PARAMS = ({"q": "\x00"}, {"verb": "\x00", "status": "a\x1bb"}, {"\x7f": "1"}, {"page": "1", "q": "\x1f"})


def _pages(world):
    """(route key, method, url, client) for every URL of the URLconf."""
    clients = {}
    for persona in (CENTRE, SUPERUSER):
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(world.users[persona])
    for route in walk_urlconf():
        admin = route.key.startswith("admin:")
        e = None if admin else EXPECTED[route.key]
        url = _url(world, route, e) + (e.query if e else "")
        yield route.key, (e.method if e else "GET"), url, clients[SUPERUSER if admin else CENTRE]


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


def test_a_control_character_in_a_query_parameter_is_a_400_on_every_page(world, db):
    before = _snapshot()
    answers, checked = {}, 0

    for key, method, url, client in _pages(world):
        for params in CONTROL_PARAMS:
            # A POST-only URL gets them in its query string too (and an empty body).
            target = _with(url, urlencode(params))
            response = client.post(target) if method == "POST" else client.get(target)
            checked += 1
            if response.status_code != 400:
                answers[f"{key} {method} {params!r}"] = response.status_code

    assert answers == {}
    assert _snapshot() == before
    assert checked > 400


def test_the_400_page_says_in_chinese_what_to_do(world, db):
    client = Client()
    client.force_login(world.users[CENTRE])

    response = client.get(reverse("cases:household_list") + "?q=%00")

    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


def test_tabs_and_line_breaks_are_ordinary_input_not_refused(world, db):
    client = Client()
    client.force_login(world.users[CENTRE])

    response = client.get(reverse("cases:household_list") + "?q=%09欧阳%0D%0A")

    assert response.status_code == 200


def test_every_signed_in_answer_is_no_store(world, db):
    kept, oks = {}, 0

    for key, method, url, client in _pages(world):
        if method != "GET":
            continue
        response = client.get(url)
        if response.status_code == 200:
            oks += 1
            if response.get("Cache-Control") != "no-store, private":
                kept[key] = response.get("Cache-Control")

    assert kept == {}
    assert oks > 60  # lists, files, exports, bank files, attachments, the API and the admin's pages


def test_static_files_keep_their_own_caching(world, db):
    client = Client()
    client.force_login(world.users[CENTRE])

    response = client.get("/static/css/portal.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
