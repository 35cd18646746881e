"""Concurrent edits keep the work: the refused second save re-shows what that user typed, beside what changed.

Two staff open the same file at the same version; the first saves. The second's
save is refused (nothing overwritten) but the form comes back with their values,
on the current version, and lists who changed what meanwhile (old → new), so they
can merge and save again.
"""

import re

import pytest
from django.urls import reverse

from cases.models import HardshipStandard
from cases.services import household_create, household_update
from hardship.models import Role
from tests.cases.conftest import WUXI, form_post, household_data, member_row, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened_twice(tree):
    """王丽华 and 李明 both open 蒋建华's file at version 1; 李明 saves a new address first."""
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    wang = user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="王丽华")
    li = user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="李明")
    household = household_create(actor=wang, union=tree["company"], data=household_data(phone="13905100001"),
                                 members=[person()])  # fmt: skip
    head = household.members.get()
    same_head = [person(id=head.pk, id_number=head.id_number)]
    household_update(actor=li, household_id=household.pk, expected_version=1, data={"address": "李明改的地址 8 号"},
                     members=same_head)  # fmt: skip
    post = form_post(tree["company"], [member_row(id_number=head.id_number) | {"id": head.pk}], version="1",
                     phone="13800001111", employer="王丽华填的单位")  # fmt: skip
    post["members-INITIAL_FORMS"] = "1"
    return household, wang, post


def _value(body: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert match, name
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_the_refused_save_keeps_the_typed_values_and_shows_what_changed(client, opened_twice):
    # Given a form opened at version 1, while a colleague has saved version 2
    household, wang, post = opened_twice
    client.force_login(wang)

    # When 王丽华 saves her form
    response = client.post(reverse("cases:household_edit", args=[household.pk]), post)
    body = response.content.decode()

    # Then nothing is overwritten, and the form comes back (no redirect) with what she typed
    household.refresh_from_db()
    assert (household.address, household.phone, household.version) == ("李明改的地址 8 号", "13905100001", 2)
    assert response.status_code == 200
    assert _value(body, "phone") == "13800001111"
    assert _value(body, "employer") == "王丽华填的单位"
    # on the current version, so that saving again goes through
    assert _value(body, "version") == "2"
    # and beside it what changed meanwhile: who, what, old → new — said once
    changes = re.search(r'data-testid="stale-changes".*?</div>\s*</div>', body, re.S).group(0)
    assert "李明" in changes
    assert "家庭住址" in changes
    assert "惠山区堰桥街道西漳村 12 号" in changes and "李明改的地址 8 号" in changes
    assert body.count("您的修改没有保存") == 1
    assert "标红" not in body  # nothing is red


def test_saving_again_after_merging_goes_through(client, opened_twice):
    # Given the refused form, re-shown on version 2
    household, wang, post = opened_twice
    client.force_login(wang)
    client.post(reverse("cases:household_edit", args=[household.pk]), post)

    # When she keeps her phone, takes her colleague's address and saves again
    merged = post | {"version": "2", "address": "李明改的地址 8 号"}
    response = client.post(reverse("cases:household_edit", args=[household.pk]), merged)

    # Then both changes are in the file
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.address, household.phone, household.version) == ("李明改的地址 8 号", "13800001111", 3)
