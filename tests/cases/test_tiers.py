"""Per-capita income and tier at every boundary, and across a change of standard."""

from datetime import date
from decimal import Decimal

import pytest

from cases.models import HardshipStandard, Household, Tier
from cases.selectors import standard_in_force
from cases.services import household_create, household_recompute
from cases.tiers import MemberFacts, annotate_tier, classify, compute_tier

from .conftest import WUXI, head_earning, household_data, person

WUXI_STD = HardshipStandard(**WUXI)
NO_EXTREME_LINE = HardshipStandard(**{**WUXI, "extreme_line_monthly": None})


@pytest.mark.parametrize(
    ("per_capita", "standard", "tier"),
    [
        ("1439.99", WUXI_STD, Tier.EXTREME),
        ("1440.00", WUXI_STD, Tier.RELATIVE),  # at the line is not below it
        ("1229.99", NO_EXTREME_LINE, Tier.DEEP),
        ("1230.00", NO_EXTREME_LINE, Tier.RELATIVE),
        ("2459.99", WUXI_STD, Tier.RELATIVE),
        ("2460.00", WUXI_STD, Tier.NONE),
    ],
)
def test_tier_at_each_boundary(per_capita, standard, tier):
    result = classify(
        per_capita=Decimal(per_capita), annual_income=Decimal("100000"), sudden_event_cost=Decimal("0"),
        standard=standard,
    )  # fmt: skip

    assert result == tier


@pytest.mark.parametrize(("cost", "tier"), [("80000.00", Tier.NONE), ("80000.01", Tier.SUDDEN)])
def test_sudden_hardship_needs_costs_above_80_percent_of_income(cost, tier):
    result = classify(
        per_capita=Decimal("3000"), annual_income=Decimal("100000"), sudden_event_cost=Decimal(cost), standard=WUXI_STD
    )

    assert result == tier


def _adult(work="employed", birth=date(1980, 1, 1), health="healthy", disability="none"):
    return MemberFacts(birth, work, health, disability)


def test_per_capita_income_deducts_rigid_expenses_and_divides_by_twelve_and_size():
    result = compute_tier(
        recorded_income=Decimal("54000"), rigid_expenses=Decimal("18000"), sudden_event_cost=Decimal("0"),
        members=[_adult(), _adult(), _adult(work="student", birth=date(2008, 1, 1))], standard=WUXI_STD,
        on=date(2026, 11, 22),
    )  # fmt: skip

    assert result.per_capita_income == Decimal("1000.00")
    assert result.tier == Tier.EXTREME


def test_an_able_unemployed_adult_is_imputed_the_minimum_wage():
    result = compute_tier(
        recorded_income=Decimal("0"), rigid_expenses=Decimal("0"), sudden_event_cost=Decimal("0"),
        members=[_adult(work="unemployed"), _adult(work="unable")], standard=WUXI_STD, on=date(2026, 11, 22),
    )  # fmt: skip

    assert result.imputed_members == 1
    assert result.annual_income == Decimal("29880.00")
    assert result.per_capita_income == Decimal("1245.00")


@pytest.mark.parametrize(
    "member",
    [
        _adult(work="unemployed", health="cancer"),
        _adult(work="unemployed", disability="physical"),
        _adult(work="unemployed", birth=date(1960, 1, 1)),  # 66: past working age
        _adult(work="unemployed", birth=date(2009, 1, 1)),  # 17: not yet
    ],
)
def test_no_imputation_for_the_ill_the_disabled_or_outside_working_age(member):
    result = compute_tier(
        recorded_income=Decimal("0"), rigid_expenses=Decimal("0"), sudden_event_cost=Decimal("0"),
        members=[member], standard=WUXI_STD, on=date(2026, 11, 22),
    )  # fmt: skip

    assert result.imputed_members == 0


def test_expenses_above_income_give_zero_not_a_negative_income():
    result = compute_tier(
        recorded_income=Decimal("10000"), rigid_expenses=Decimal("50000"), sudden_event_cost=Decimal("0"),
        members=[_adult()], standard=WUXI_STD, on=date(2026, 11, 22),
    )  # fmt: skip

    assert result.per_capita_income == Decimal("0.00")


@pytest.mark.django_db
def test_the_standard_in_force_is_chosen_by_date_and_the_nearest_union(tree, standard):
    later = HardshipStandard.objects.create(
        union=tree["city"], **{**WUXI, "effective_from": date(2026, 1, 1), "extreme_line_monthly": Decimal("1500")}
    )
    district = HardshipStandard.objects.create(union=tree["binhu"], **{**WUXI, "effective_from": date(2025, 1, 1)})

    assert standard_in_force(union=tree["company"], on=date(2025, 6, 30)) == standard
    assert standard_in_force(union=tree["company"], on=date(2026, 1, 1)) == later
    assert standard_in_force(union=tree["lihu"], on=date(2026, 6, 1)) == district
    assert standard_in_force(union=tree["company"], on=date(2024, 6, 30)) is None


@pytest.mark.django_db
def test_a_household_changes_tier_across_a_change_of_standard(tree, standard, grassroots):
    # 1460/month per person: 相对 under the 1440 line, 特困 once the line is 1500.
    household = household_create(
        actor=grassroots, union=tree["company"], data=household_data(), members=head_earning("17520"),
    )  # fmt: skip
    assert (household.per_capita_income, household.tier) == (Decimal("1460.00"), Tier.RELATIVE)

    HardshipStandard.objects.create(
        union=tree["city"], **{**WUXI, "effective_from": date(2026, 1, 1), "extreme_line_monthly": Decimal("1500")}
    )
    household_recompute(household=household, on=date(2026, 1, 1))

    assert household.tier == Tier.EXTREME
    household_recompute(household=household, on=date(2025, 12, 31))
    assert household.tier == Tier.RELATIVE


@pytest.mark.django_db
def test_sql_and_python_tier_rules_agree(tree, standard, grassroots):
    incomes = ["0", "17279", "17280", "17281", "29520", "29521", "36000", "100000"]
    for index, income in enumerate(incomes):
        household_create(
            actor=grassroots, union=tree["company"], members=head_earning(income, [person(name=f"职工{index}")]),
            data=household_data(sudden_event_cost=Decimal("90000") if index == 7 else 0),
        )  # fmt: skip

    rows = annotate_tier(Household.objects.all(), standard).values_list(
        "tier", "new_tier", "per_capita_income", "new_per_capita"
    )

    for tier, sql_tier, pc, sql_pc in rows:
        assert (tier, pc) == (sql_tier, sql_pc)
    assert {r[0] for r in rows} >= {Tier.EXTREME, Tier.RELATIVE, Tier.NONE, Tier.SUDDEN}
