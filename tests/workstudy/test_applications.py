"""Who may apply: filed households' students of the minimum age on the season's start date; outstanding students."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Household, Status
from programs.workstudy import services
from programs.workstudy.models import Application, ApplicationKind, SafetyClass, Term
from programs.workstudy.selectors import eligible_members

from .conftest import END, START, filed_student, make_position, register


@pytest.fixture
def shelf(centre, season, enterprise_a):
    return make_position(centre, season, enterprise_a)


def test_a_student_whose_16th_birthday_is_the_day_after_the_start_cannot_apply(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2010, 1, 27))

    with pytest.raises(ValidationError, match="未满 16 周岁"):
        register(centre, season, member, [shelf])


def test_a_student_whose_16th_birthday_is_the_start_date_can_apply(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2010, 1, 26))

    application = register(centre, season, member, [shelf])

    assert application.age_at_start == 16


def test_the_eligible_list_has_the_student_16_on_the_start_date_and_not_the_one_a_day_younger(centre, season, tree):
    sixteen = filed_student(tree["company"], birth=date(2010, 1, 26), name="吴佳怡")
    filed_student(tree["company"], birth=date(2010, 1, 27), name="周子涵")

    assert list(eligible_members(user=centre, season=season)) == [sixteen]


def test_a_city_that_sets_18_refuses_a_17_year_old(centre, tree, enterprise_a):
    season = services.season_create(
        actor=centre, union=tree["huishan"], year=2026, term=Term.SUMMER, starts_on=date(2026, 7, 6),
        ends_on=date(2026, 8, 28), min_age=18,
    )  # fmt: skip
    position = make_position(centre, season, enterprise_a)
    member = filed_student(tree["company"], birth=date(2008, 7, 7))

    with pytest.raises(ValidationError, match="未满 18 周岁"):
        register(centre, season, member, [position])


def test_a_student_of_a_household_still_in_review_cannot_apply(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2007, 5, 16))
    Household.objects.filter(pk=member.household_id).update(status=Status.SECOND_REVIEW)

    with pytest.raises(ValidationError, match="只有已建档家庭的学生可以报名"):
        register(centre, season, member, [shelf])


def test_a_member_who_is_not_in_school_cannot_apply(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2004, 5, 16), work_status="employed", level="")

    with pytest.raises(ValidationError, match="不是在校学生"):
        register(centre, season, member, [shelf])


def test_a_minor_cannot_list_a_not_for_minors_position(centre, season, enterprise_a, tree):
    coating = make_position(centre, season, enterprise_a, title="防腐涂装辅助工", safety_class=SafetyClass.ADULTS_ONLY)
    member = filed_student(tree["company"], birth=date(2008, 9, 1))

    with pytest.raises(ValidationError, match="岗位不招收未成年人"):
        register(centre, season, member, [coating])


def test_more_than_five_preferences_are_refused(centre, season, enterprise_a, tree):
    positions = [make_position(centre, season, enterprise_a, title=f"岗位{i}") for i in range(6)]
    member = filed_student(tree["company"], birth=date(2006, 1, 1))

    with pytest.raises(ValidationError, match="最多填报 5 个志愿"):
        register(centre, season, member, positions)


def test_a_student_applies_once_per_season(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2006, 1, 1))
    register(centre, season, member, [shelf])

    with pytest.raises(ValidationError, match="已报名本期"):
        register(centre, season, member, [shelf])


def test_staff_of_a_sibling_district_cannot_register_a_student_of_this_district(out_of_scope_user, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2006, 1, 1))

    with pytest.raises(Exception) as refused:
        register(out_of_scope_user, season, member, [shelf])

    assert issubclass(refused.type, PermissionDenied)  # the one refusal type, ActionRefused, is one


def test_an_outstanding_student_is_registered_with_birth_date_from_the_id_number(centre, season, shelf, tree):
    application = services.application_register_outstanding(
        actor=centre, season_id=season.pk, union=tree["huishan"], name="张一鸣", id_number="11010519491231002X",
        school_level="university", details=services.StudentDetails(school_name="东北大学"), preferences=[shelf.pk],
    )  # fmt: skip

    assert (application.kind, application.birth_date, application.sex) == (
        ApplicationKind.OUTSTANDING,
        date(1949, 12, 31),
        "F",
    )


def test_a_student_of_a_filed_household_cannot_register_as_outstanding(centre, season, shelf, tree):
    member = filed_student(tree["company"], birth=date(2006, 1, 1))

    with pytest.raises(ValidationError, match="请按“困难职工家庭学生”报名"):
        services.application_register_outstanding(
            actor=centre, season_id=season.pk, union=tree["huishan"], name=member.name, id_number=member.id_number,
            school_level="university", details=services.StudentDetails(), preferences=[shelf.pk],
        )  # fmt: skip


def test_the_season_dates_must_be_in_order(centre, tree):
    with pytest.raises(ValidationError, match="结束日期必须晚于开始日期"):
        services.season_create(
            actor=centre, union=tree["huishan"], year=2026, term=Term.WINTER, starts_on=END, ends_on=START
        )


def test_registration_stops_once_the_result_is_published(centre, season, shelf, tree):
    first = filed_student(tree["company"], birth=date(2006, 1, 1))
    register(centre, season, first, [shelf])
    services.season_run_matching(actor=centre, season_id=season.pk)
    services.season_publish(actor=centre, season_id=season.pk)
    late = filed_student(tree["company"], birth=date(2006, 2, 2), name="陈浩")

    with pytest.raises(ValidationError, match="匹配结果已发布"):
        register(centre, season, late, [shelf])
    assert Application.objects.filter(season=season).count() == 1
