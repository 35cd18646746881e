"""变更申请: a filed file changes by a request the centre approves — never by whoever asked — applied with its
history; the tier it would give is shown before approval; a household that no longer qualifies waits in
the exit queue instead of being dropped. Phone and address change directly, audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.changes import services as changes
from cases.changes.models import ChangeRequest, ChangeStatus
from cases.models import Household, Status, Tier
from cases.review.selectors import review_queue
from cases.services import household_create
from hardship.identity import make_id_number
from hardship.models import AuditEvent, Role
from hardship.workflow import ActionRefused
from tests.cases.conftest import household_data, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

NEWBORN_ID = make_id_number("320206", date(2026, 1, 8), 921)


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="周敏")


def filed_couple(actor, union, wages="36000") -> Household:
    """A head earning ``wages`` a year and a spouse unable to work, filed."""
    household = household_create(actor=actor, union=union, data=household_data(), members=[
        person(income_wages=Decimal(wages)), person("spouse", "李秀英", date(1980, 6, 2), "unable"),
    ])  # fmt: skip
    Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
    return Household.objects.get(pk=household.pk)


def newborn_post(**extra) -> dict:
    return {"reason": "birth", "relation": "child", "name": "蒋小宝", "id_number": NEWBORN_ID,
            "work_status": "preschool", "health": "healthy", "disability": "none", "medical_insurance": "resident",
            "income_unit": "year", **{f"income_{s}": "0" for s in ("wages", "business", "property", "transfer",
                                                                  "pension", "union_aid")}, **extra}  # fmt: skip


def test_a_newborn_added_by_change_request_re_tiers_only_after_approval_and_is_in_the_history(
    client, tree, standard, grassroots, centre
):
    # Given a filed couple at 人均 1,500 (相对困难)
    household = filed_couple(grassroots, tree["company"])
    assert (household.per_capita_income, household.tier) == (Decimal("1500.00"), Tier.RELATIVE)
    client.force_login(grassroots)

    # When the grassroots union proposes the newborn from the file (the phone form) and submits it
    response = client.post(reverse("cases:change_propose", args=[household.pk]) + "?kind=member_add", newborn_post())
    change = ChangeRequest.objects.get()
    assert response.url == reverse("cases:change_detail", args=[change.pk])
    page = client.get(response.url).content.decode()
    client.post(reverse("cases:change_action", args=[change.pk, "submit"]), {"confirm": "on"})

    # Then the request shows the tier it would give, and the file is unchanged until the centre approves
    assert 'data-testid="tier-after">特困</div>' in page and "1000.00" in page
    household.refresh_from_db()
    assert (household.member_count, household.tier) == (2, Tier.RELATIVE)
    assert ChangeRequest.objects.get().status == ChangeStatus.SUBMITTED

    # When centre staff approve it on its confirmation page
    client.force_login(centre)
    refused = client.post(reverse("cases:change_action", args=[change.pk, "approve"]), {})
    client.post(reverse("cases:change_action", args=[change.pk, "approve"]), {"confirm": "on", "note": "属实"})

    # Then (only once confirmed) the child is on the file, the tier is recomputed, and the history says so in words
    assert refused.status_code == 200  # the unticked confirmation re-shows the page, nothing applied
    household.refresh_from_db()
    assert (household.member_count, household.per_capita_income, household.tier) == (3, Decimal("1000.00"),
                                                                                      Tier.EXTREME)  # fmt: skip
    assert household.members.filter(name="蒋小宝", removed=False, is_live=True).exists()
    event = AuditEvent.objects.get(verb="change.approve", target_id=str(household.pk))
    assert event.actor == centre and event.changes["tier"] == ["relative", "extreme"]
    history = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "变更申请批准生效" in history and "新增成员 蒋小宝" in history and "相对困难 → 特困" in history


def test_the_requester_cannot_approve_their_own_change(client, tree, standard, grassroots):
    # Given centre staff who proposed and submitted a change themselves
    asker = user_with_role(Role.CENTRE_STAFF, tree["city"])
    household = filed_couple(grassroots, tree["company"])
    change = changes.change_propose(actor=asker, household_id=household.pk, kind="employer", reason="new_employer",
                                    after={"employer": "无锡新单位有限公司"})  # fmt: skip
    changes.change_submit(actor=asker, change_id=change.pk)
    client.force_login(asker)

    # When they try to approve it
    page = client.get(reverse("cases:change_detail", args=[change.pk])).content.decode()
    with pytest.raises(ActionRefused, match="不能自己审批"):
        changes.change_approve(actor=asker, change_id=change.pk)

    # Then the page offers no approval, nothing changed, and the database refuses it too
    assert 'data-action="approve"' not in page and "不能自己审批" in page
    household.refresh_from_db()
    assert household.employer == "" and ChangeRequest.objects.get().status == ChangeStatus.SUBMITTED
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(decided_by=asker)


def test_a_change_that_makes_the_household_no_longer_qualify_sends_it_to_the_exit_queue(tree, standard, grassroots,
                                                                                         centre):  # fmt: skip
    # Given a filed couple with no income (特困), and a new job for the head at 60,000 a year
    household = filed_couple(grassroots, tree["company"], wages="0")
    head = household.members.get(relation="self")
    change = changes.change_propose(actor=grassroots, household_id=household.pk, kind="member_change", reason="work",
                                    member_id=head.pk, after={"income_wages": Decimal("60000")})  # fmt: skip
    assert (change.tier_before, change.tier_after) == (Tier.EXTREME, Tier.NONE)
    changes.change_submit(actor=grassroots, change_id=change.pk)

    # When the centre approves it
    changes.change_approve(actor=centre, change_id=change.pk)

    # Then the file stays filed, now 不符合, and waits in the centre's exit queue
    household.refresh_from_db()
    assert (household.status, household.tier) == (Status.FILED, Tier.NONE)
    assert list(review_queue(user=centre, queue="exit")) == [household]


def test_phone_and_address_of_a_filed_file_change_directly_and_are_recorded(client, tree, standard, grassroots):
    # Given a filed file
    household = filed_couple(grassroots, tree["company"])
    client.force_login(grassroots)

    # When its phone and address are changed on the file's page
    moved = {"phone": "13912345678", "address": "惠山区堰桥街道新址 8 号", "version": household.version}
    client.post(reverse("cases:contact_edit", args=[household.pk]), moved)

    # Then they are changed at once, and the history names the old and the new address
    household.refresh_from_db()
    assert (household.phone, household.address) == ("13912345678", "惠山区堰桥街道新址 8 号")
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "修改联系电话/住址" in page and "惠山区堰桥街道西漳村 12 号 → 惠山区堰桥街道新址 8 号" in page
