"""Running the matching on a season, the explanations, and staff adjustments before publishing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from programs.workstudy import services
from programs.workstudy.explain import explain
from programs.workstudy.models import Placement, PlacementStatus, Position, Result, SafetyClass, SeasonStatus

from .conftest import filed_student, make_position, register


@pytest.fixture
def office(centre, season, enterprise_a):
    return make_position(centre, season, enterprise_a, title="行政文员助理", places=1)


@pytest.fixture
def packing(centre, season, enterprise_b):
    return make_position(centre, season, enterprise_b, title="食品成型包装工", places=2)


def refreshed(application):
    application.refresh_from_db()
    return application


def test_a_特困_student_gets_the_contested_place_and_the_other_is_told_why(centre, season, office, tree):
    relative = register(
        centre, season, filed_student(tree["company"], birth=date(2006, 1, 1), tier="relative", name="吴佳怡"), [office]
    )
    extreme = register(
        centre, season, filed_student(tree["company"], birth=date(2007, 5, 16), tier="extreme", name="王小琪"), [office]
    )

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert Placement.objects.get(season=season).application == extreme
    assert explain(refreshed(relative)) == "所填 1 个岗位已被困难等级更高的学生占满。"
    assert explain(refreshed(extreme)) == "按第 1 志愿安排。"


def test_a_student_told_every_listed_position_went_to_higher_tiers(centre, season, enterprise_a, tree):
    positions = [make_position(centre, season, enterprise_a, title=f"岗位{i}") for i in range(3)]
    for i, position in enumerate(positions):
        register(
            centre, season, filed_student(tree["company"], birth=date(2006, 1, 1 + i), name=f"特困{i}"), [position]
        )
    late = register(
        centre, season, filed_student(tree["company"], birth=date(2006, 3, 1), tier="none", name="其他"), positions
    )

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert explain(refreshed(late)) == "所填 3 个岗位均已被困难等级更高的学生占满。"


def test_a_minor_is_not_placed_at_a_position_that_became_not_for_minors(centre, season, enterprise_a, tree):
    coating = make_position(centre, season, enterprise_a, title="防腐涂装辅助工", places=3)
    minor = register(centre, season, filed_student(tree["company"], birth=date(2008, 9, 1)), [coating])
    services.position_update(actor=centre, position_id=coating.pk, data={"safety_class": SafetyClass.ADULTS_ONLY})

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert refreshed(minor).result == Result.UNPLACED
    assert "岗位不招收未成年人（本期开始日时 17 周岁）" in explain(minor)
    assert not Placement.objects.filter(position=coating).exists()


def test_the_filled_count_matches_the_placements_and_never_exceeds_places(centre, season, packing, tree):
    for i in range(5):
        register(centre, season, filed_student(tree["company"], birth=date(2005, 1, 1 + i), name=f"学生{i}"), [packing])

    run = services.season_run_matching(actor=centre, season_id=season.pk)

    packing.refresh_from_db()
    assert (run.placed, packing.filled, Placement.objects.filter(position=packing).count()) == (2, 2, 2)


def test_running_the_matching_again_replaces_the_unpublished_result(centre, season, packing, tree):
    register(centre, season, filed_student(tree["company"], birth=date(2005, 1, 1)), [packing])
    services.season_run_matching(actor=centre, season_id=season.pk)

    run = services.season_run_matching(actor=centre, season_id=season.pk)

    assert (run.placed, Placement.objects.filter(season=season).count()) == (1, 1)
    assert run.verified


def test_the_matching_cannot_run_again_after_publishing(centre, season, packing, tree):
    register(centre, season, filed_student(tree["company"], birth=date(2005, 1, 1)), [packing])
    services.season_run_matching(actor=centre, season_id=season.pk)
    services.season_publish(actor=centre, season_id=season.pk)

    with pytest.raises(ValidationError, match="不能运行匹配"):
        services.season_run_matching(actor=centre, season_id=season.pk)


def test_outstanding_students_come_after_every_hardship_student(centre, season, office, tree):
    outstanding = services.application_register_outstanding(
        actor=centre, season_id=season.pk, union=tree["huishan"], name="张一鸣", id_number="11010519491231002X",
        school_level="university", details=services.StudentDetails(), preferences=[office.pk],
    )  # fmt: skip
    sudden = register(centre, season, filed_student(tree["company"], birth=date(2006, 1, 1), tier="sudden"), [office])

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert (refreshed(sudden).result, refreshed(outstanding).result) == (Result.PLACED, Result.UNPLACED)


def test_a_household_that_left_the_files_is_excluded_at_matching_time(centre, season, office, tree):
    member = filed_student(tree["company"], birth=date(2006, 1, 1))
    application = register(centre, season, member, [office])
    member.household.status = "exited"
    member.household.save(update_fields=["status"])

    services.season_run_matching(actor=centre, season_id=season.pk)

    assert refreshed(application).result == Result.EXCLUDED
    assert "家庭档案当前不在“已建档”状态" in explain(application)


# ---------------------------------------------------------------- staff adjustments


@pytest.fixture
def matched(centre, season, office, packing, tree):
    """王小琪 (特困) got the office job; 吴佳怡 (相对, 16) is unplaced; packing has 2 free places."""
    wang = register(centre, season, filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪"), [office])
    wu = register(
        centre,
        season,
        filed_student(tree["company"], birth=date(2010, 1, 26), tier="relative", name="吴佳怡"),
        [office],
    )
    services.season_run_matching(actor=centre, season_id=season.pk)
    return {"wang": wang, "wu": wu}


def test_staff_can_place_an_unplaced_student_at_a_position_with_room(centre, matched, packing):
    placement = services.placement_assign(actor=centre, application_id=matched["wu"].pk, position_id=packing.pk)

    packing.refresh_from_db()
    assert (placement.position, placement.manual, packing.filled) == (packing, True, 1)
    assert refreshed(matched["wu"]).result == Result.PLACED


def test_staff_cannot_place_a_student_at_a_full_position(centre, matched, office):
    with pytest.raises(ValidationError, match="已满员（1/1）"):
        services.placement_assign(actor=centre, application_id=matched["wu"].pk, position_id=office.pk)


def test_staff_cannot_place_a_16_year_old_at_a_not_for_minors_position(centre, season, matched, enterprise_a):
    coating = make_position(centre, season, enterprise_a, title="防腐涂装辅助工", safety_class=SafetyClass.ADULTS_ONLY)

    with pytest.raises(ValidationError, match="岗位不招收未成年人"):
        services.placement_assign(actor=centre, application_id=matched["wu"].pk, position_id=coating.pk)


def test_moving_a_student_frees_the_old_place_and_fills_the_new_one(centre, matched, office, packing):
    services.placement_assign(actor=centre, application_id=matched["wang"].pk, position_id=packing.pk)

    office.refresh_from_db()
    packing.refresh_from_db()
    assert (office.filled, packing.filled, Placement.objects.filter(application=matched["wang"]).count()) == (0, 1, 1)


def test_unassigning_frees_the_place(centre, matched, office):
    services.placement_unassign(actor=centre, application_id=matched["wang"].pk)

    office.refresh_from_db()
    assert (office.filled, refreshed(matched["wang"]).result) == (0, Result.UNPLACED)


def test_no_adjustment_after_publishing(centre, season, matched, packing):
    services.season_publish(actor=centre, season_id=season.pk)

    with pytest.raises(ValidationError, match="发布之前才能人工调整"):
        services.placement_assign(actor=centre, application_id=matched["wu"].pk, position_id=packing.pk)


def test_an_enterprise_cannot_cut_places_below_the_students_already_placed(centre, contact_a, matched, office):
    services.position_update(actor=contact_a, position_id=office.pk, data={"places": 2})
    services.placement_assign(actor=centre, application_id=matched["wu"].pk, position_id=office.pk)

    with pytest.raises(ValidationError, match="招收人数不能少于 2"):
        services.position_update(actor=contact_a, position_id=office.pk, data={"places": 1})


def test_publishing_makes_every_proposal_visible_and_moves_the_season_on(centre, season, matched):
    count = services.season_publish(actor=centre, season_id=season.pk)

    season.refresh_from_db()
    assert count == 1
    assert season.status == SeasonStatus.PUBLISHED
    assert set(Placement.objects.filter(season=season).values_list("status", flat=True)) == {PlacementStatus.PUBLISHED}


# ---------------------------------------------------------------- database invariants


def test_the_database_refuses_a_second_placement_of_a_student_in_one_season(centre, season, matched, packing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Placement.objects.create(season=season, application=matched["wang"], position=packing)


def test_the_database_refuses_more_filled_than_places(office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=office.pk).update(filled=2)


def test_the_database_refuses_negative_places(office):
    with pytest.raises(IntegrityError), transaction.atomic():
        Position.objects.filter(pk=office.pk).update(places=-1, filled=0)
