"""The matching algorithm on its own: ages, the minors rule, capacity, tier priority, and the independent check."""

import random
from datetime import date

import pytest

from hardship.dates import age_on
from programs.workstudy.matching import (
    ADULTS_ONLY,
    FULL_HIGHER,
    FULL_SAME,
    Candidate,
    Opening,
    deferred_acceptance,
    verify,
)
from programs.workstudy.synthetic import synthetic_season


def student(key, *, group=2, age=19, prefs=(1,), level="university", lottery=None):
    return Candidate(
        key=key, group=group, lottery=key if lottery is None else lottery, age=age, school_level=level,
        preferences=list(prefs),
    )  # fmt: skip


def opening(key, *, places=1, min_age=16, adults_only=False, levels=()):
    return Opening(key=key, places=places, min_age=min_age, adults_only=adults_only, school_levels=frozenset(levels))


def placed(outcomes):
    return {key: outcome.position for key, outcome in outcomes.items()}


def test_a_student_is_15_on_the_day_before_their_16th_birthday():
    assert age_on(date(2010, 1, 26), date(2026, 1, 25)) == 15


def test_a_student_is_16_on_their_16th_birthday():
    assert age_on(date(2010, 1, 26), date(2026, 1, 26)) == 16


def test_someone_born_on_29_february_turns_16_on_1_march_in_a_common_year():
    assert (age_on(date(2008, 2, 29), date(2024, 2, 28)), age_on(date(2008, 2, 29), date(2024, 3, 1))) == (15, 16)


def test_a_17_year_old_is_not_given_a_not_for_minors_position_even_as_the_only_applicant():
    outcomes = deferred_acceptance([student(1, age=17, prefs=[1])], [opening(1, places=3, adults_only=True)])

    assert outcomes[1].position is None
    assert outcomes[1].passed_over == [(1, 1, ADULTS_ONLY)]


def test_an_18_year_old_may_take_a_not_for_minors_position():
    outcomes = deferred_acceptance([student(1, age=18, prefs=[1])], [opening(1, adults_only=True)])

    assert outcomes[1].position == 1


def test_a_特困_student_keeps_a_position_a_lower_tier_student_ranked_higher_and_applied_first():
    # Given one place, a 相对困难 student who lists it first and a 特困 student who lists it second
    relative = student(1, group=2, prefs=[10], lottery=0)
    extreme = student(2, group=0, prefs=[20, 10], lottery=99)
    positions = [opening(10), opening(20, places=0)]

    outcomes = deferred_acceptance([relative, extreme], positions)

    assert placed(outcomes) == {1: None, 2: 10}
    assert outcomes[1].passed_over == [(1, 10, FULL_HIGHER)]


def test_within_one_tier_the_season_lottery_decides_and_the_reason_says_so():
    first, second = student(1, group=1, lottery=5), student(2, group=1, lottery=7)

    outcomes = deferred_acceptance([second, first], [opening(1)])

    assert placed(outcomes) == {1: 1, 2: None}
    assert outcomes[2].passed_over == [(1, 1, FULL_SAME)]


def test_the_result_does_not_depend_on_the_order_students_were_entered():
    candidates, openings = synthetic_season(students=400, positions=120, seed=7)
    reversed_input = list(reversed(candidates))

    assert placed(deferred_acceptance(candidates, openings)) == placed(deferred_acceptance(reversed_input, openings))


@pytest.mark.parametrize("seed", range(8))
def test_on_random_seasons_no_minor_is_placed_at_a_not_for_minors_position(seed):
    candidates, openings = synthetic_season(students=600, positions=200, seed=seed)
    by_key = {o.key: o for o in openings}

    assignment = placed(deferred_acceptance(candidates, openings))

    minors_at_adult_positions = [
        c.key for c in candidates if assignment[c.key] and c.age < 18 and by_key[assignment[c.key]].adults_only
    ]
    assert minors_at_adult_positions == []
    assert any(c.age < 18 and assignment[c.key] for c in candidates)  # minors were placed, elsewhere


@pytest.mark.parametrize("seed", range(8))
def test_on_random_seasons_no_position_gets_more_students_than_places(seed):
    candidates, openings = synthetic_season(students=800, positions=150, seed=seed)

    assignment = placed(deferred_acceptance(candidates, openings))

    for o in openings:
        assert sum(1 for p in assignment.values() if p == o.key) <= o.places


@pytest.mark.parametrize("seed", range(8))
def test_on_random_seasons_no_特困_student_loses_a_listed_position_to_a_lower_priority_student(seed):
    candidates, openings = synthetic_season(students=800, positions=150, seed=seed)
    by_key = {c.key: c for c in candidates}

    outcomes = deferred_acceptance(candidates, openings)

    holders = {}
    for key, outcome in outcomes.items():
        holders.setdefault(outcome.position, []).append(by_key[key])
    for c in candidates:
        if c.group != 0 or c.excluded:
            continue
        for _rank, position, reason in outcomes[c.key].passed_over:
            if reason in (FULL_HIGHER, FULL_SAME):
                assert all(h.group == 0 and h.lottery < c.lottery for h in holders[position])


@pytest.mark.parametrize("seed", range(4))
def test_the_independent_check_finds_no_blocking_pair_in_the_result(seed):
    candidates, openings = synthetic_season(students=1000, positions=300, seed=seed)

    outcomes = deferred_acceptance(candidates, openings)

    check = verify(candidates, openings, placed(outcomes), season_min_age=16)
    assert check.ok, check.problems
    assert check.blocking_pairs == 0


def test_the_independent_check_reports_a_blocking_pair():
    # Given a 特困 student left out while a 相对困难 student holds the position both wanted
    candidates = [student(1, group=0, prefs=[1]), student(2, group=2, prefs=[1])]

    check = verify(candidates, [opening(1)], {1: None, 2: 1}, season_min_age=16)

    assert not check.ok
    assert check.blocking_pairs == 1


def test_the_independent_check_reports_an_empty_place_a_student_wanted():
    check = verify([student(1, prefs=[1])], [opening(1)], {1: None}, season_min_age=16)

    assert check.blocking_pairs == 1


def test_the_independent_check_reports_a_minor_at_a_not_for_minors_position():
    check = verify([student(1, age=16, prefs=[1])], [opening(1, adults_only=True)], {1: 1}, season_min_age=16)

    assert any("minor" in p for p in check.problems)


def test_the_independent_check_reports_an_over_full_position():
    candidates = [student(1, prefs=[1]), student(2, prefs=[1])]

    check = verify(candidates, [opening(1)], {1: 1, 2: 1}, season_min_age=16)

    assert any("2 students for 1 places" in p for p in check.problems)


def test_a_student_below_the_season_minimum_age_takes_no_part():
    young = Candidate(key=1, group=0, lottery=1, age=15, school_level="junior", preferences=[1], excluded="under_age")

    outcomes = deferred_acceptance([young], [opening(1)])

    assert outcomes[1].position is None and outcomes[1].passed_over == []


def test_a_position_for_university_students_refuses_a_high_school_student():
    outcomes = deferred_acceptance([student(1, level="senior", prefs=[1])], [opening(1, levels={"university"})])

    assert outcomes[1].position is None


def test_students_are_placed_at_their_best_achievable_choice():
    # Given two 特困 students who both want A first; B is free
    rng = random.Random(3)
    a, b = student(1, group=0, prefs=[1, 2], lottery=rng.randrange(10)), student(2, group=0, prefs=[1, 2], lottery=50)

    outcomes = deferred_acceptance([a, b], [opening(1), opening(2)])

    assert (outcomes[1].position, outcomes[1].rank, outcomes[2].position, outcomes[2].rank) == (1, 1, 2, 2)
