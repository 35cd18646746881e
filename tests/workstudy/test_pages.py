"""The pages: forms go through the services, bad input gets a Chinese message (never a 500), CSP-clean HTML."""

import re
from datetime import date

import pytest
from django.urls import reverse

from hardship.models import AuditEvent
from programs.workstudy import services
from programs.workstudy.models import Enterprise, Placement, Position, Season

from .conftest import filed_student, make_position, register

POSITION_FORM = {
    "title": "质检员助理",
    "place": "海溪公司质检室",
    "places": "2",
    "pay": "2400.00",
    "hours_per_day": "8",
    "safety_class": "normal",
    "min_age": "",
    "field_of_study": "",
    "description": "协助检验防腐涂层厚度",
}


@pytest.fixture
def published(centre, season, enterprise_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    register(centre, season, filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪"), [office])
    services.season_run_matching(actor=centre, season_id=season.pk)
    services.season_publish(actor=centre, season_id=season.pk)
    return Placement.objects.get(season=season)


def test_an_enterprise_contact_posts_a_position_for_their_enterprise(client, season, enterprise_a, contact_a):
    client.force_login(contact_a)

    response = client.post(reverse("workstudy:position_create", args=[season.pk]), POSITION_FORM)

    assert response.status_code == 302
    position = Position.objects.get(title="质检员助理")
    assert (position.enterprise, position.places, str(position.pay)) == (enterprise_a, 2, "2400.00")
    assert AuditEvent.objects.filter(verb="workstudy.position.create", actor=contact_a).exists()


def test_a_position_with_no_places_is_refused_with_a_message(client, season, enterprise_a, contact_a):
    client.force_login(contact_a)

    response = client.post(reverse("workstudy:position_create", args=[season.pk]), {**POSITION_FORM, "places": "0"})

    assert response.status_code == 200
    assert "招收人数至少为 1 人" in response.content.decode()
    assert not Position.objects.exists()


def test_a_long_day_for_minors_is_refused_with_a_message(client, season, enterprise_a, contact_a):
    client.force_login(contact_a)

    response = client.post(
        reverse("workstudy:position_create", args=[season.pk]), {**POSITION_FORM, "hours_per_day": "10"}
    )

    assert "招收未成年人的岗位每日工作时间不得超过 8 小时" in response.content.decode()


def test_centre_staff_create_a_season_through_the_form(client, centre, tree):
    client.force_login(centre)

    response = client.post(
        reverse("workstudy:season_create"),
        {"union": tree["huishan"].pk, "year": "2026", "term": "summer", "starts_on": "2026-07-06",
         "ends_on": "2026-08-28", "min_age": "18", "note": ""},
    )  # fmt: skip

    season = Season.objects.get()
    assert response.status_code == 302 and (season.term, season.min_age) == ("summer", 18)


def test_a_season_younger_than_16_is_refused_by_the_form(client, centre, tree):
    client.force_login(centre)

    response = client.post(
        reverse("workstudy:season_create"),
        {"union": tree["huishan"].pk, "year": "2026", "term": "summer", "starts_on": "2026-07-06",
         "ends_on": "2026-08-28", "min_age": "15"},
    )  # fmt: skip

    assert response.status_code == 200 and "不得招用未满 16 周岁的未成年人" in response.content.decode()


def test_centre_staff_register_an_enterprise_with_its_login(client, centre, tree, contact_a):
    client.force_login(centre)

    client.post(
        reverse("workstudy:enterprise_create"),
        {"union": tree["company"].pk, "name": "无锡安井食品有限公司", "contacts": [contact_a.pk], "is_active": "on"},
    )

    assert list(Enterprise.objects.get().contacts.all()) == [contact_a]


def test_centre_staff_register_a_student_through_the_form(client, centre, season, enterprise_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    member = filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪")
    client.force_login(centre)

    response = client.post(
        reverse("workstudy:application_create", args=[season.pk]),
        {"member": member.pk, "school_name": "江南大学", "major": "", "phone": "", "pref_1": office.pk},
    )

    assert response.status_code == 302
    assert season.applications.get().preferences.get().position == office


def test_the_same_position_twice_is_refused_by_the_form(client, centre, season, enterprise_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    member = filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪")
    client.force_login(centre)

    response = client.post(
        reverse("workstudy:application_create", args=[season.pk]),
        {"member": member.pk, "pref_1": office.pk, "pref_2": office.pk},
    )

    assert "同一个岗位不能重复填报" in response.content.decode()


def test_the_results_page_explains_each_students_result(client, centre, season, enterprise_a, tree):
    office = make_position(centre, season, enterprise_a, title="行政文员助理")
    register(centre, season, filed_student(tree["company"], birth=date(2007, 5, 16), name="王小琪"), [office])
    register(
        centre,
        season,
        filed_student(tree["company"], birth=date(2006, 5, 16), tier="relative", name="吴佳怡"),
        [office],
    )
    client.force_login(centre)
    client.post(reverse("workstudy:season_match", args=[season.pk]))

    page = client.get(reverse("workstudy:season_results", args=[season.pk])).content.decode()

    assert "按第 1 志愿安排。" in page
    assert "所填 1 个岗位已被困难等级更高的学生占满。" in page


def test_the_enterprise_confirms_and_records_earnings_through_the_forms(client, contact_a, published):
    client.force_login(contact_a)
    url = reverse("workstudy:placement_confirm", args=[published.pk])
    client.post(url, {"starts_on": "2026-01-26", "ends_on": "2026-02-24"})

    client.post(
        reverse("workstudy:placement_earnings", args=[published.pk]),
        {"days_attended": "26", "earnings": "2340.50", "evaluation": "认真负责", "early_hire": "on"},
    )

    published.refresh_from_db()
    assert (published.status, str(published.earnings), published.early_hire) == ("completed", "2340.50", True)


def test_earnings_that_are_not_a_number_get_a_message_not_a_500(client, contact_a, published):
    client.force_login(contact_a)
    client.post(
        reverse("workstudy:placement_confirm", args=[published.pk]),
        {"starts_on": "2026-01-26", "ends_on": "2026-02-24"},
    )

    response = client.post(
        reverse("workstudy:placement_earnings", args=[published.pk]), {"days_attended": "x", "earnings": "abc"}
    )

    assert response.status_code == 200
    assert "输入一个数字" in response.content.decode() or "Enter a number" in response.content.decode()


def test_a_confirmation_ending_before_it_starts_gets_a_message(client, contact_a, published):
    client.force_login(contact_a)

    response = client.post(
        reverse("workstudy:placement_confirm", args=[published.pk]),
        {"starts_on": "2026-02-10", "ends_on": "2026-02-01"},
    )

    assert response.status_code == 200 and "结束日期不能早于上岗日期" in response.content.decode()


def test_the_statistics_show_total_and_average_pay(client, centre, contact_a, season, published):
    services.placement_confirm(
        actor=contact_a, placement_id=published.pk, starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 24)
    )
    services.placement_record_earnings(actor=contact_a, placement_id=published.pk, days_attended=26, earnings="2340.50")
    client.force_login(centre)

    page = client.get(reverse("workstudy:season_stats", args=[season.pk])).content.decode()

    assert 'data-testid="total-earnings">2340.50<' in page
    assert 'data-testid="average-earnings">2340.50<' in page  # one student


def test_an_unknown_season_is_a_404(client, centre):
    client.force_login(centre)

    assert client.get(reverse("workstudy:season_detail", args=[999999])).status_code == 404


def test_junk_filters_on_the_results_page_are_ignored(client, centre, season):
    client.force_login(centre)

    response = client.get(reverse("workstudy:season_results", args=[season.pk]), {"result": "x' OR 1", "page": "-3"})

    assert response.status_code == 200 and "本期还没有学生报名" in response.content.decode()


def test_home_says_so_when_there_is_no_season(client, centre):
    client.force_login(centre)

    assert "您的辖区内还没有勤工助学假期" in client.get(reverse("workstudy:home")).content.decode()


def test_an_enterprise_contact_without_an_enterprise_is_told_what_to_do(client, contact_a):
    client.force_login(contact_a)

    assert "您的账号尚未关联爱心企业" in client.get(reverse("workstudy:home")).content.decode()


def test_my_work_counts_students_waiting_for_the_enterprise(client, contact_a, published):
    client.force_login(contact_a)

    page = client.get(reverse("my_work")).content.decode()

    assert re.search(r"待确认上岗的学生.*?badge[^>]*>1<", page, re.S)


def test_pages_have_no_inline_scripts_or_styles(client, centre, contact_a, season, published):
    client.force_login(centre)
    staff_pages = [
        reverse("workstudy:home"),
        reverse("workstudy:season_detail", args=[season.pk]),
        reverse("workstudy:season_results", args=[season.pk]),
        reverse("workstudy:season_stats", args=[season.pk]),
        reverse("workstudy:application_detail", args=[published.application_id]),
        reverse("workstudy:enterprise_list"),
        reverse("workstudy:enterprise_create"),
        reverse("workstudy:season_create"),
        reverse("workstudy:application_create", args=[season.pk]),
        reverse("workstudy:application_create_outstanding", args=[season.pk]),
    ]
    html = [client.get(url).content.decode() for url in staff_pages]
    client.force_login(contact_a)
    for url in [reverse("workstudy:home"), reverse("workstudy:placement_detail", args=[published.pk]),
                reverse("workstudy:position_create", args=[season.pk])]:  # fmt: skip
        html.append(client.get(url).content.decode())

    for page in html:
        assert " style=" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
