"""generate_households: realistic synthetic files, the same for the same seed, valid and consistent."""

import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cases.models import HardshipStandard, Household, Member, Relation, Status
from cases.selectors import standard_in_force
from cases.tiers import MemberFacts, compute_tier
from hardship.dates import age_on
from hardship.identity import luhn_ok, parse_id_number
from hardship.models import Union

pytestmark = pytest.mark.django_db


def generate(*, count=50, seed=1, union: Union | None = None) -> dict:
    out = io.StringIO()
    options = {"count": count, "seed": seed, "stdout": out}
    if union is not None:
        options["union"] = union.code
    call_command("generate_households", **options)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1])


def snapshot() -> list[tuple]:
    households = Household.objects.order_by("id").prefetch_related("members")
    return [
        (
            h.union_id, h.status, h.file_number, h.head_name, h.head_id_number, h.phone, h.address, h.main_cause,
            h.secondary_causes, h.recorded_income, h.expense_medical, h.per_capita_income, h.tier, h.bank_card,
            [(m.relation, m.name, m.id_number, m.birth_date, m.work_status, m.income_wages, m.income_pension)
             for m in h.members.all()],
        )
        for h in households
    ]  # fmt: skip


def discard_generated() -> None:
    Member.objects.all().delete()
    Household.objects.all().delete()


def test_the_same_seed_gives_identical_households(tree, standard):
    generate(count=50, seed=1, union=tree["city"])
    first = snapshot()
    discard_generated()

    generate(count=50, seed=1, union=tree["city"])

    assert snapshot() == first
    assert len(first) == 50


def test_another_seed_gives_other_households(tree, standard):
    generate(count=20, seed=1, union=tree["city"])
    first = [row[3:] for row in snapshot()]
    discard_generated()

    generate(count=20, seed=2, union=tree["city"])

    assert [row[3:] for row in snapshot()] != first


def test_every_id_number_is_valid_unique_and_agrees_with_birth_date_and_sex(tree, standard):
    generate(count=50, seed=1, union=tree["city"])

    members = list(Member.objects.all())
    for member in members:
        parsed = parse_id_number(member.id_number)
        assert (parsed.birth_date, parsed.sex) == (member.birth_date, member.sex)
        assert member.id_number[:6] in {"320206", "320211", "320213", "320214"}
    assert len({m.id_number for m in members}) == len(members)


def test_every_tier_is_what_compute_tier_gives_under_the_standard_in_force(tree, standard):
    generate(count=50, seed=1, union=tree["city"])

    today = timezone.localdate()
    for household in Household.objects.select_related("union").prefetch_related("members"):
        members = list(household.members.all())
        in_force = standard_in_force(union=household.union, on=today)
        expected = compute_tier(
            recorded_income=household.recorded_income,
            rigid_expenses=household.rigid_expenses,
            sudden_event_cost=household.sudden_event_cost,
            members=[MemberFacts(m.birth_date, m.work_status, m.health, m.disability) for m in members],
            standard=in_force,
            on=today,
        )
        assert household.standard_id == in_force.pk
        assert household.member_count == len(members)
        assert (household.annual_income, household.per_capita_income, household.tier) == (
            expected.annual_income,
            expected.per_capita_income,
            expected.tier,
        )


def test_members_ages_fit_their_relation_to_the_head(tree, standard):
    generate(count=50, seed=1, union=tree["city"])

    for household in Household.objects.prefetch_related("members"):
        members = list(household.members.all())
        head = next(m for m in members if m.relation == Relation.SELF)
        assert 1 <= len(members) <= 5
        assert age_on(head.birth_date, timezone.localdate()) >= 18
        for member in members:
            years_older = age_on(member.birth_date, head.birth_date) if member.birth_date < head.birth_date else 0
            years_younger = age_on(head.birth_date, member.birth_date) if member.birth_date > head.birth_date else 0
            if member.relation == Relation.CHILD:
                assert years_younger >= 18
            if member.relation == Relation.PARENT:
                assert years_older >= 18


def test_filed_households_carry_a_file_number_and_others_do_not(tree, standard):
    generate(count=50, seed=1, union=tree["city"])

    households = list(Household.objects.all())
    filed = [h for h in households if h.status in (Status.FILED, Status.EXITED, Status.REOPENED)]
    assert len([h for h in households if h.status == Status.FILED]) > len(households) / 2
    assert all(re.fullmatch(r"WX20(19|2[0-4])\d{6}", h.file_number) for h in filed)
    assert all(h.file_number == "" for h in households if h not in filed)


def test_bank_cards_are_unionpay_numbers_that_pass_the_luhn_check(tree, standard):
    generate(count=50, seed=1, union=tree["city"])

    cards = [card for card in Household.objects.values_list("bank_card", flat=True) if card]
    assert cards
    assert all(card.startswith("62") and len(card) == 19 and luhn_ok(card) for card in cards)


def test_running_again_adds_new_people_and_file_numbers(tree, standard):
    generate(count=30, seed=1, union=tree["city"])

    generate(count=30, seed=1, union=tree["city"])

    assert Household.objects.count() == 60
    assert Member.objects.values("id_number").distinct().count() == Member.objects.count()
    numbers = [n for n in Household.objects.values_list("file_number", flat=True) if n]
    assert len(set(numbers)) == len(numbers)


def test_it_prints_one_json_line_with_the_counts(tree, standard):
    summary = generate(count=25, seed=3, union=tree["city"])

    assert summary["households"] == 25 == Household.objects.count()
    assert summary["members"] == Member.objects.count()
    assert isinstance(summary["seconds"], float | int)


def test_households_go_to_grassroots_unions_below_the_chosen_union(tree, standard):
    generate(count=20, seed=1, union=tree["huishan"])

    assert set(Household.objects.values_list("union__name", flat=True)) == {"海溪公司工会"}


def test_without_a_standard_wuxis_default_is_put_in_force_at_the_root(tree):
    generate(count=5, seed=1, union=tree["huishan"])

    standard = HardshipStandard.objects.get()
    assert standard.union == tree["city"]
    assert (standard.dibao_monthly, standard.extreme_line_monthly, standard.minimum_wage_monthly) == (
        Decimal("1230"),
        Decimal("1440"),
        Decimal("2490"),
    )
    assert set(Household.objects.values_list("standard_id", flat=True)) == {standard.pk}


def test_without_any_unions_the_demo_tree_is_made_first(db):
    generate(count=10, seed=1)

    wuxi = Union.objects.get(code="WX")
    generated = Household.objects.filter(created_by__isnull=True)
    assert generated.count() == 10
    assert all(h.union.path.startswith(wuxi.path) and h.union.level == Union.Level.GRASSROOTS for h in generated)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's")
def test_the_union_table_has_planner_statistics_after_a_run(tree, standard):
    # The scope subquery's estimate comes from the union table: without statistics the planner
    # takes one union in scope and the list's later pages sort every household in the city.
    generate(count=5)

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [Union._meta.db_table])
        assert cursor.fetchone()[0] >= len(tree)
