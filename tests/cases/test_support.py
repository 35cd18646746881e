"""Help beyond cash on a file: non-cash help, 互助保障, and the 创业贷 interest subsidy."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from cases.models import BenchmarkRate, MutualCoverPlan, NonCashHelp, StartupLoan
from cases.services import household_create
from cases.support import services
from cases.support.subsidy import loan_subsidy
from hardship.models import AuditEvent
from tests.cases.conftest import household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def household(tree, standard, grassroots):
    return household_create(actor=grassroots, union=tree["company"], members=[person()], data=household_data())


def test_a_150000_loan_at_435_gets_10875_over_two_years():
    subsidy = loan_subsidy(amount=Decimal("150000"), rate_percent=Decimal("4.35"))

    assert [s.amount for s in subsidy.steps] == [Decimal("8700.00"), Decimal("2175.00")]
    assert subsidy.total == Decimal("10875.00")


def test_a_loan_of_exactly_100000_is_subsidised_in_full_in_one_step():
    subsidy = loan_subsidy(amount=Decimal("100000"), rate_percent=Decimal("4.35"))

    assert len(subsidy.steps) == 1
    assert subsidy.total == Decimal("8700.00")


def test_a_loan_above_300000_is_refused(household, grassroots):
    with pytest.raises(ValidationError):
        services.loan_record(actor=grassroots, household=household, amount=Decimal("300000.01"),
                             start_date=date(2026, 3, 1))  # fmt: skip
    assert not StartupLoan.objects.exists()


def test_the_database_refuses_a_loan_above_300000_too(household, grassroots):
    with pytest.raises(IntegrityError), transaction.atomic():
        StartupLoan.objects.create(household=household, amount=Decimal("300001"), start_date=date(2026, 3, 1),
                                   recorded_by=grassroots)  # fmt: skip


def test_the_support_page_shows_the_subsidy_step_by_step(client, household, grassroots):
    BenchmarkRate.objects.create(effective_from=date(2015, 10, 24), rate_percent=Decimal("4.35"))
    services.loan_record(actor=grassroots, household=household, amount=Decimal("150000"), start_date=date(2026, 3, 1))
    client.force_login(grassroots)

    response = client.get(reverse("cases:support_detail", args=[household.pk]))

    text = response.content.decode()
    assert "100000.00 × 4.35% × 2" in text and "= 8700.00" in text
    assert "50000.00 × 4.35% × 50% × 2" in text and "= 2175.00" in text
    assert "10875.00" in text


def test_help_recorded_on_the_file_shows_in_its_timeline_and_is_audited(client, household, grassroots):
    client.force_login(grassroots)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]),
        {"kind": "mentoring", "given_on": "2026-05-04", "mentor_name": "劳模陈建国", "note": "一对一结对"},
    )

    assert response.status_code == 302
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()
    assert "结对帮扶" in page and "劳模陈建国" in page
    assert AuditEvent.objects.filter(verb="support.help", target_id=str(household.pk)).count() == 1


def test_goods_help_keeps_its_value(household, grassroots):
    help_ = services.help_record(actor=grassroots, household=household, kind="goods", given_on=date(2026, 1, 20),
                                 goods_value=Decimal("300.00"))  # fmt: skip

    assert help_.goods_value == Decimal("300.00")


def test_mentoring_without_a_mentor_is_refused(household, grassroots):
    with pytest.raises(ValidationError):
        services.help_record(actor=grassroots, household=household, kind="mentoring", given_on=date(2026, 1, 20))


def test_an_observer_cannot_add_help(client, household, observer):
    client.force_login(observer)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]), {"kind": "training", "given_on": "2026-05-04"}
    )

    assert response.status_code == 403
    assert not NonCashHelp.objects.exists()


def test_an_observer_does_not_see_the_help_form(client, household, observer):
    client.force_login(observer)

    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()

    assert 'data-testid="help-form"' not in page


def test_staff_of_another_district_cannot_add_help(client, household, out_of_scope_user):
    client.force_login(out_of_scope_user)

    response = client.post(
        reverse("cases:help_add", args=[household.pk]), {"kind": "training", "given_on": "2026-05-04"}
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.help_record(actor=out_of_scope_user, household=household, kind="training", given_on=date(2026, 5, 4))
    assert not NonCashHelp.objects.exists()


def test_a_member_is_enrolled_in_a_plan_once_a_year(tree, household, grassroots):
    plan = MutualCoverPlan.objects.create(name="在职职工住院医疗互助保障计划")
    member = household.members.get()
    services.mutual_cover_enrol(actor=grassroots, member=member, plan=plan, year=2026)

    with pytest.raises(ValidationError):
        services.mutual_cover_enrol(actor=grassroots, member=member, plan=plan, year=2026)
    enrolment = services.mutual_cover_enrol(actor=grassroots, member=member, plan=plan, year=2027)
    claim = services.mutual_cover_claim(actor=grassroots, enrolment=enrolment, amount=Decimal("2000"),
                                        paid_on=date(2027, 3, 1))  # fmt: skip
    assert claim.amount == Decimal("2000")
