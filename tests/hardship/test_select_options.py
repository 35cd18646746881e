"""The filter bars' options (portal.select_options): the current value selected, whatever its type, every
value escaped; the household list keeps the chosen union, tier, status and cause selected."""

import pytest
from django.urls import reverse

from hardship.templatetags.portal import select_options


def test_the_current_value_is_selected_and_every_value_escaped():
    html = select_options([('a<"', "<b>名</b>"), (7, "七"), ("", "无")], 7)
    assert html == ('<option value="a&lt;&quot;">&lt;b&gt;名&lt;/b&gt;</option>'
                    '<option value="7" selected>七</option><option value="">无</option>')  # fmt: skip
    assert " selected" not in select_options([("x", "X")], None)
    assert select_options([("x", "X")], "x").count(" selected") == 1


@pytest.mark.django_db
def test_the_household_lists_filters_keep_what_was_chosen(client, tree):
    from hardship.models import Role
    from tests.factories import user_with_role

    client.force_login(user_with_role(Role.CENTRE_STAFF, tree["city"]))
    union = tree["huishan"]
    chosen = {"union": union.pk, "tier": "extreme", "status": "filed", "cause": "serious_illness"}
    page = client.get(reverse("cases:household_list"), chosen)
    body = page.content.decode()
    assert f'<option value="{union.pk}" selected>{union.name}</option>' in body
    for value in ("extreme", "filed", "serious_illness"):
        assert f'<option value="{value}" selected>' in body
    assert body.count(" selected>") == 4 + 1  # and the sort's default


def test_the_menu_marks_only_the_current_entry_and_escapes_every_value():
    from hardship.templatetags.portal import nav_links

    html = nav_links([{"label": "家庭<档案>", "url": "/cases/", "icon": "bi-folder", "active": True},
                      {"label": "报表", "url": '/reports/"x', "icon": "bi-bar-chart", "active": False}])  # fmt: skip
    assert html == (
        '<li class="nav-item"><a class="nav-link active" href="/cases/" aria-current="page">'
        '<i class="bi bi-folder me-1"></i>家庭&lt;档案&gt;</a></li>'
        '<li class="nav-item"><a class="nav-link" href="/reports/&quot;x">'
        '<i class="bi bi-bar-chart me-1"></i>报表</a></li>'
    )


def test_a_static_files_url_is_looked_up_in_the_manifest_once_per_process(tmp_path, settings, monkeypatch):
    import json

    from hardship.storage import StaticStorage

    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"version": "1.1", "paths": {"css/portal.css": "css/portal.0123456789ab.css"}, "hash": "x"}))  # fmt: skip
    storage = StaticStorage(location=str(tmp_path), base_url="/static/")
    assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css"
    looked_up = []
    monkeypatch.setattr(storage, "stored_name", lambda name: looked_up.append(name) or name)
    assert storage.url("css/portal.css") == "/static/css/portal.0123456789ab.css" and looked_up == []
    storage._urls.clear()  # as post_process does before collectstatic writes a new manifest
    storage.url("css/portal.css")
    assert looked_up == ["css/portal.css"]
