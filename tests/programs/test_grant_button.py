"""The file's 申请一次性救助 button asks the grant's own rule (programs.assistance.workflow), as the service does."""

from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from cases.models import Household, Status
from hardship.models import Role
from hardship.services import role_assign
from hardship.workflow import ActionRefused
from programs.assistance import services
from programs.assistance.models import Program
from tests.factories import user_with_role

from .test_money import filed

pytestmark = pytest.mark.django_db


@pytest.fixture
def personas(tree, grassroots):
    """Everyone here reads the company's files; only the first two may apply for a grant."""
    return {
        "grassroots at the company": grassroots,
        "centre staff at the city": user_with_role(Role.CENTRE_STAFF, tree["city"]),
        "grassroots at the street above": user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"]),
        "fund approver at the city": user_with_role(Role.FUND_APPROVER, tree["city"]),
        "observer at the city": user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"]),
        "caseworker at the company": user_with_role(Role.CASEWORKER, tree["company"]),
        "system admin at the city": user_with_role(Role.SYSTEM_ADMIN, tree["city"]),
        # Reads the file as an observer; applies for grants only in the sibling district.
        "observer here, grassroots elsewhere": _also(
            user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"]), Role.GRASSROOTS_STAFF, tree["lihu"]
        ),  # fmt: skip
    }


def _also(user, role, union):
    role_assign(actor=None, user=user, union=union, role=role)
    return user


def _offered(client, user, household) -> bool:
    client.force_login(user)
    response = client.get(reverse("cases:household_detail", args=[household.pk]))
    assert response.status_code == 200  # every persona reads the file
    return 'data-testid="apply-grant"' in response.content.decode()


def _service_accepts(user, household) -> bool:
    """Apply for a valid grant and roll it back: only the rule about who and when can refuse it."""
    medical = Program.objects.get(code="medical")
    with transaction.atomic():
        try:
            services.grant_apply(actor=user, household=household, program=medical, amount=Decimal("800"),
                                 self_paid=Decimal("1000"), reason="住院自付")  # fmt: skip
        except ActionRefused:
            return False
        transaction.set_rollback(True)
    return True


def test_the_grant_button_is_shown_to_the_applicant_roles_only(client, fund, tree, grassroots, personas):
    household = filed(grassroots, tree["company"])

    offered = {name: _offered(client, user, household) for name, user in personas.items()}

    assert offered == {
        "grassroots at the company": True,
        "centre staff at the city": True,
        "grassroots at the street above": True,
        "fund approver at the city": False,
        "observer at the city": False,
        "caseworker at the company": False,
        "system admin at the city": False,
        "observer here, grassroots elsewhere": False,
    }


@pytest.mark.parametrize("status", [Status.FILED, Status.DRAFT, Status.EXITED])
def test_the_service_refuses_a_grant_exactly_when_the_file_hides_the_button(client, fund, tree, grassroots,
                                                                            personas, status):  # fmt: skip
    household = filed(grassroots, tree["company"])
    Household.objects.filter(pk=household.pk).update(status=status)
    household.refresh_from_db()

    for name, user in personas.items():
        offered, accepted = _offered(client, user, household), _service_accepts(user, household)
        assert offered == accepted, name
    assert household.grants.count() == 0


def test_a_typed_link_to_the_grant_form_of_a_draft_says_why_and_goes_back_to_the_file(client, fund, tree,
                                                                                     grassroots):  # fmt: skip
    household = filed(grassroots, tree["company"])
    Household.objects.filter(pk=household.pk).update(status=Status.DRAFT)
    client.force_login(grassroots)

    response = client.get(reverse("programs:grant_apply", args=[household.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("cases:household_detail", args=[household.pk])
    assert "只有已建档的家庭可以申请一次性救助" in response.content.decode()
