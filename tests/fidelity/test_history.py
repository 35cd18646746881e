"""A file's history is whole: re-tiering by a new standard (naming both), change requests, payments, review
opinions, admin corrections — each on the file's own history, in words; the audit log in words too."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import HardshipStandard, Household, Tier
from cases.services import household_admin_correct, household_create, standard_apply
from hardship.models import AuditEvent, Role, User
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_a_new_standards_re_tier_appears_in_each_affected_files_history_naming_both_standards(
    client, tree, standard, grassroots
):
    # Given two files under Wuxi's standard: one at 人均 1,460 (相对困难), one at 人均 3,000 (不符合)
    near = household_create(actor=grassroots, union=tree["company"], data=household_data(),
                            members=[person(name="蒋近线", income_wages=Decimal("17520"))])  # fmt: skip
    far = household_create(actor=grassroots, union=tree["company"], data=household_data(),
                           members=[person(name="王远线", income_wages=Decimal("36000"))])  # fmt: skip

    # When a new standard raising the 特困 line to 1,500 comes into force
    new = HardshipStandard.objects.create(union=tree["city"], **{**WUXI, "effective_from": timezone.localdate(),
                                                                  "extreme_line_monthly": Decimal("1500")})  # fmt: skip
    changed = standard_apply(actor=None, standard=new)

    # Then each file has its own entry naming the old and the new standard, and the tier where it moved
    standard, new = HardshipStandard.objects.get(pk=standard.pk), HardshipStandard.objects.get(pk=new.pk)
    assert changed == 1
    entries = {e.target_id: e for e in AuditEvent.objects.filter(verb="household.retier")}
    assert set(entries) == {str(near.pk), str(far.pk)}
    assert entries[str(near.pk)].changes["standard"] == [str(standard), str(new)]
    assert entries[str(near.pk)].changes["tier"] == ["relative", "extreme"]
    assert "tier" not in entries[str(far.pk)].changes
    client.force_login(grassroots)
    page = client.get(reverse("cases:household_detail", args=[near.pk])).content.decode()
    assert "按新标准重新认定" in page
    assert f"认定依据：{standard} → {new}" in page and "困难类别：相对困难 → 特困" in page
    assert Household.objects.get(pk=near.pk).tier == Tier.EXTREME


def test_the_audit_log_shows_verbs_and_changes_in_words_and_filters_by_words(client, tree, standard, grassroots):
    # Given a file created (its tier recorded) and a standard re-tiering it
    household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    admin = user_with_role(Role.SYSTEM_ADMIN, tree["city"])
    client.force_login(admin)

    # When the audit log is opened, all and filtered
    page = client.get(reverse("hardship:audit_list")).content.decode()
    filtered = client.get(reverse("hardship:audit_list"), {"verb": "household.create"}).content.decode()

    # Then verbs and fields are words, the filter is a list of words, and filtering works
    assert '<td data-testid="verb">建立档案</td>' in page and "household.create</code>" not in page
    assert "困难类别</span>：不符合" in page and "tier:" not in page
    assert '<option value="household.create" selected>建立档案</option>' in filtered
    assert '<option value="standard.apply">按新标准批量重新认定</option>' in filtered
    assert 'placeholder="auth.login"' not in page


def test_admin_corrections_are_in_the_files_history(client, tree, standard, grassroots):
    # Given a file a superuser corrects in the admin's back door
    household = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    superuser = User.objects.create_superuser("root", password="x")

    # When the correction is saved
    household_admin_correct(actor=superuser, household_id=household.pk, data={"address": "更正后的地址 1 号"})

    # Then the history names it and what changed, like any other change
    client.force_login(grassroots)
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "系统管理员更正" in page and "更正后的地址 1 号" in page
