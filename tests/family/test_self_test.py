"""困难自测: public, nothing stored, the tier from the files' own rule under the standard in force."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Tier
from cases.selectors import standard_in_force
from cases.tiers import MemberFacts, compute_tier

pytestmark = pytest.mark.django_db


def ask(client, union, **extra):
    query = {"union": union.pk, "p0-age": "45", "p0-work_status": "employed", "p0-health": "healthy",
             "p0-disability": "none", "p0-income_wages": "1500", "p1-age": "14", "p1-work_status": "student",
             "p1-health": "healthy", "p1-disability": "none", "expense_medical": "0",
             "expense_schooling": "2400"}  # fmt: skip
    query.update(extra)
    return client.get("/family/self-test/", query)


def test_anyone_sees_the_self_test_without_signing_in(client, tree):
    assert client.get("/family/self-test/").status_code == 200


def test_the_self_test_gives_the_tier_the_file_would_get_and_writes_nothing(client, tree, standard):
    with CaptureQueriesContext(connection) as queries:
        response = ask(client, tree["city"])

    body = response.content.decode()
    # (1500 × 12 − 2400) ÷ 12 ÷ 2 = 650 a month: below the 特困 line of 1440.
    today = timezone.localdate()
    in_force = standard_in_force(union=tree["city"], on=today)
    adult = MemberFacts(today.replace(year=1980, day=1), "employed", "healthy", "none")
    expected = compute_tier(
        recorded_income=Decimal("18000"),
        rigid_expenses=Decimal("2400"),
        sudden_event_cost=Decimal("0"),
        standard=in_force,
        members=[adult] * 2,
        on=today,
    )
    assert expected.per_capita_income == Decimal("650.00") and expected.tier == Tier.EXTREME
    assert "650.00" in body and str(Tier.EXTREME.label) in body
    assert "低于 2460.00 元" in body and "2460.0000" not in body  # 2 × 低保 1230, to the fen
    assert "身份证和户口本" in body and "孩子的在读证明" in body and "残疾证" not in body
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_an_unemployed_adult_who_could_work_is_counted_at_the_minimum_wage(client, tree, standard):
    response = ask(client, tree["city"], **{"p0-work_status": "unemployed", "p0-income_wages": "0"})

    # (2490 × 12 − 2400) ÷ 12 ÷ 2 = 1145.
    assert "1,145.00" in response.content.decode() or "1145.00" in response.content.decode()


def test_a_household_above_the_lines_is_told_so(client, tree, standard):
    response = ask(client, tree["city"], **{"p0-income_wages": "20000"})

    assert str(Tier.NONE.label) in response.content.decode()
    assert 'data-testid="bring"' not in response.content.decode()


def test_bad_input_is_a_form_error_not_a_500(client, tree, standard):
    response = ask(client, tree["city"], **{"p0-age": "-3", "p0-income_wages": "abc"})

    assert response.status_code == 200 and 'data-testid="self-test-result"' not in response.content.decode()
