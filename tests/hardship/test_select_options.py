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
