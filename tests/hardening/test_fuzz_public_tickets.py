"""The public complaint and tip-off pages (no sign-in) under hostile input: never a 500, a refusal in
Chinese, nothing saved from a refused post, and the per-address limit holds whatever is posted."""

import pytest
from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Household, Status
from cases.services import household_create
from cases.tickets.models import Ticket
from hardship.models import Role
from tests.cases.conftest import household_data, person
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db]

HOSTILE = st.one_of(
    st.text(max_size=50),
    st.sampled_from(["\x00", '=HYPERLINK("http://x")', "<script>alert(1)</script>", "9" * 30, "-1", "0",
                     "１２３", "😀" * 600, "' OR 1=1 --", ""]),
)  # fmt: skip
FIELDS = ("union", "about", "name", "phone", "text", "notice_number", "anonymous")


@pytest.fixture
def on_notice(tree):
    staff = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    household = household_create(actor=staff, union=tree["company"], data=household_data(), members=[person()])
    Household.objects.filter(pk=household.pk).update(status=Status.PUBLIC_NOTICE)
    return household


@override_settings(PUBLIC_TICKETS_PER_IP_PER_HOUR=1000)
@pytest.mark.parametrize("page", ["cases:complaint_new", "cases:tip_off_new"])
def test_the_public_ticket_pages_never_fail_on_hostile_input(client, tree, on_notice, page):
    valid = {"union": str(tree["city"].pk), "name": "王女士", "phone": "13900001111", "text": "态度差",
             "notice_number": str(on_notice.pk)}  # fmt: skip

    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(field=st.sampled_from(FIELDS), value=HOSTILE)
    def check(field, value):
        before = Ticket.objects.count()
        response = client.post(reverse(page), {**valid, field: value})
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 200:  # refused: the form again, nothing saved
            assert Ticket.objects.count() == before
            assert "alert-danger" in response.content.decode() or "is-invalid" in response.content.decode()

    check()


@override_settings(PUBLIC_TICKETS_PER_IP_PER_HOUR=3)
def test_the_limit_per_address_holds_on_the_page(client, on_notice):
    post = {"notice_number": str(on_notice.pk), "text": "他家有车", "anonymous": "on"}
    answers = [client.post(reverse("cases:tip_off_new"), post).status_code for _ in range(5)]

    assert answers == [302, 302, 302, 200, 200]
    assert "过于频繁" in client.post(reverse("cases:tip_off_new"), post).content.decode()
    assert Ticket.objects.filter(kind="tip_off").count() == 3
