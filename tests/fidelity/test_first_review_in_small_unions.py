"""初审 in small unions: an enterprise union with one 干事 gets its 初审 from the union above.

The 干事 who entered and submitted the case may not review it; the street union's
干事 (or the district's 帮扶中心) may, as street unions and 联合工会 do; the 复审
stays with the third party.
"""

import pytest
from django.utils import timezone

from cases.models import HardshipStandard, Status, Step
from cases.review import services as review
from cases.review.workflow import review_workflow
from cases.services import household_create
from hardship.models import Role
from hardship.workflow import ActionRefused
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def one_staff_case(tree):
    """海溪公司工会 has one 干事, 王丽华; she enters and submits a case."""
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    only_staff = user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="王丽华")
    household = household_create(actor=only_staff, union=tree["company"], data=household_data(), members=[person()])
    review.household_submit(actor=only_staff, household_id=household.pk)
    return household, only_staff


def _visit(actor, household):
    visit = review.VisitInput(visited_on=timezone.localdate(), living_conditions="两室一厅", findings="情况属实")
    review.visit_record(actor=actor, household_id=household.pk, step=Step.FIRST, visit=visit)


def test_the_street_union_staff_gives_the_first_review_of_a_one_staff_union(tree, one_staff_case):
    # Given a case of a one-staff union, submitted by its only 干事
    household, _only_staff = one_staff_case
    street = user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"], full_name="徐卫民")

    # When the street union's 干事 visits and approves
    _visit(street, household)
    reviewed = review.first_review_decide(actor=street, household_id=household.pk, decision="approve", text="属实")

    # Then the case goes on to 复审, with the street union's 干事 as its 初审 reviewer
    assert reviewed.status == Status.SECOND_REVIEW
    assert reviewed.first_reviewer == street


def test_the_district_centre_may_also_give_it(tree, one_staff_case):
    # Given the same case, visited by the street's caseworker
    household, _only_staff = one_staff_case
    _visit(user_with_role(Role.CASEWORKER, tree["yanqiao"]), household)
    district_centre = user_with_role(Role.CENTRE_STAFF, tree["huishan"])

    # When the district's 帮扶中心 staff opens it, then 初审 is offered and accepted
    household.refresh_from_db()
    offered = {a.name for a in review_workflow.available_actions(household, district_centre) if a.allowed}
    assert {"first_approve", "first_return", "first_reject"} <= offered
    reviewed = review.first_review_decide(actor=district_centre, household_id=household.pk, decision="approve",
                                          text="属实")  # fmt: skip
    assert reviewed.status == Status.SECOND_REVIEW


def test_the_submitter_still_cannot_review_her_own_case(tree, one_staff_case):
    # Given the case visited by the street union
    household, only_staff = one_staff_case
    _visit(user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"]), household)

    # When its only 干事 tries to approve it herself
    household.refresh_from_db()
    offered = {a.name for a in review_workflow.available_actions(household, only_staff)}
    with pytest.raises(ActionRefused) as refused:
        review.first_review_decide(actor=only_staff, household_id=household.pk, decision="approve", text="")

    # Then she is offered no 初审 and the service refuses it in words
    assert not offered & {"first_visit", "first_approve", "first_return", "first_reject"}
    assert str(refused.value) == "您是本案的提交人，不能同时进行初审。"
    household.refresh_from_db()
    assert household.status == Status.FIRST_REVIEW


def test_who_entered_it_may_not_review_it_when_a_colleague_submitted_it(tree):
    # Given a case entered by one 干事 and submitted by another of the same union
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    entrant = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    colleague = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    household = household_create(actor=entrant, union=tree["company"], data=household_data(), members=[person()])
    review.household_submit(actor=colleague, household_id=household.pk)

    # When the one who entered it tries to visit for the 初审, then it is refused
    with pytest.raises(ActionRefused) as refused:
        _visit(entrant, household)
    assert str(refused.value) == "您录入了本案，不能同时进行初审。"


def test_the_second_review_stays_with_the_third_party(tree, one_staff_case):
    # Given the case through 初审 by the street union
    household, _only_staff = one_staff_case
    street = user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"])
    _visit(street, household)
    review.first_review_decide(actor=street, household_id=household.pk, decision="approve", text="")

    # When the street 干事 or a centre looks at it, then neither may give the 复审
    household.refresh_from_db()
    for user in (street, user_with_role(Role.CENTRE_STAFF, tree["huishan"])):
        names = {a.name for a in review_workflow.available_actions(household, user)}
        assert not names & {"second_visit", "second_approve", "second_return", "second_reject"}
