"""The file page's prepared queries (hardship.prepared) keep each user's scope and each file's rows."""

import pytest
from django.urls import reverse

from cases.services import household_create

from .conftest import household_data, person

pytestmark = pytest.mark.django_db


def test_one_process_serves_each_user_only_their_own_scope(client, tree, standard, grassroots, in_scope_user,
                                                           out_of_scope_user):  # fmt: skip
    """The file's row is prepared per set of assignments: 滨湖's staff never reach 惠山's file through it."""
    mine = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    url = reverse("cases:household_detail", args=[mine.pk])
    for user, status in (
        (in_scope_user, 200),
        (out_of_scope_user, 404),
        (in_scope_user, 200),
        (out_of_scope_user, 404),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_each_file_shows_its_own_members_after_another_file_was_opened(client, tree, standard, grassroots):
    first = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    second = household_create(
        actor=grassroots, union=tree["company"], data=household_data(),
        members=[person(name="李四")],
    )  # fmt: skip
    client.force_login(grassroots)
    for household in (first, second, first):
        page = client.get(reverse("cases:household_detail", args=[household.pk]))
        names = [m.name for m in page.context["members"]]
        assert names == [m.name for m in household.members.all()]
        assert all(m.household_id == household.pk for m in page.context["members"])
