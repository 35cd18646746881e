"""Who sees what: an enterprise contact sees only their own enterprise; staff only their unions."""

from datetime import date

import pytest
from django.urls import reverse

from programs.workstudy import services
from programs.workstudy.models import Placement

from .conftest import filed_student, make_position, register


@pytest.fixture
def positions(centre, season, enterprise_a, enterprise_b):
    return {
        "a": make_position(centre, season, enterprise_a, title="仓库管理助理"),
        "b": make_position(centre, season, enterprise_b, title="数控车间学徒"),
    }


@pytest.fixture
def placements(centre, season, positions, tree):
    register(centre, season, filed_student(tree["company"], birth=date(2006, 1, 1), name="王小琪"), [positions["a"]])
    register(centre, season, filed_student(tree["company"], birth=date(2006, 2, 1), name="陈浩"), [positions["b"]])
    services.season_run_matching(actor=centre, season_id=season.pk)
    return list(Placement.objects.all())


def get(client, user, name, *args):
    client.force_login(user)
    return client.get(reverse(f"workstudy:{name}", args=args))


def test_an_enterprise_contact_sees_their_own_position(client, contact_a, positions):
    assert get(client, contact_a, "position_detail", positions["a"].pk).status_code == 200


def test_an_enterprise_contact_gets_404_for_another_enterprises_position(client, contact_a, positions):
    assert get(client, contact_a, "position_detail", positions["b"].pk).status_code == 404


def test_an_enterprise_contact_cannot_open_the_edit_form_of_another_enterprises_position(client, contact_a, positions):
    assert get(client, contact_a, "position_edit", positions["b"].pk).status_code == 404


def test_an_enterprise_contact_gets_404_for_another_enterprise(client, contact_a, enterprise_b):
    assert get(client, contact_a, "enterprise_detail", enterprise_b.pk).status_code == 404


def test_an_enterprise_contact_gets_404_for_another_enterprises_placement(
    client, centre, season, contact_a, placements
):
    services.season_publish(actor=centre, season_id=season.pk)
    other = Placement.objects.exclude(position__enterprise__contacts=contact_a).get()

    assert get(client, contact_a, "placement_detail", other.pk).status_code == 404


def test_an_enterprise_contact_cannot_confirm_another_enterprises_placement(
    client, centre, season, contact_a, placements
):
    services.season_publish(actor=centre, season_id=season.pk)
    other = Placement.objects.exclude(position__enterprise__contacts=contact_a).get()
    client.force_login(contact_a)

    response = client.post(
        reverse("workstudy:placement_confirm", args=[other.pk]), {"starts_on": "2026-01-26", "ends_on": "2026-02-20"}
    )

    assert response.status_code == 404
    assert Placement.objects.get(pk=other.pk).status == "published"


def test_an_enterprise_does_not_see_its_students_before_publishing(client, contact_a, placements):
    own = Placement.objects.get(position__enterprise__contacts=contact_a)

    assert get(client, contact_a, "placement_detail", own.pk).status_code == 404


def test_an_enterprise_sees_its_students_after_publishing(client, centre, season, contact_a, placements):
    services.season_publish(actor=centre, season_id=season.pk)
    own = Placement.objects.get(position__enterprise__contacts=contact_a)

    response = get(client, contact_a, "placement_detail", own.pk)

    assert response.status_code == 200
    assert "王小琪" in response.content.decode()


def test_the_enterprise_home_lists_only_its_own_positions_and_students(client, centre, season, contact_a, placements):
    services.season_publish(actor=centre, season_id=season.pk)

    page = get(client, contact_a, "home").content.decode()

    assert "仓库管理助理" in page and "王小琪" in page
    assert "数控车间学徒" not in page and "陈浩" not in page


def test_the_season_page_shows_a_contact_only_their_enterprises_positions(client, season, contact_a, positions):
    page = get(client, contact_a, "season_detail", season.pk).content.decode()

    assert "仓库管理助理" in page and "数控车间学徒" not in page


def test_an_enterprise_contact_cannot_read_the_matching_results(client, season, contact_a):
    assert get(client, contact_a, "season_results", season.pk).status_code == 403


def test_centre_staff_of_a_sibling_district_get_404_for_the_season(client, season, out_of_scope_user):
    assert get(client, out_of_scope_user, "season_detail", season.pk).status_code == 404


def test_centre_staff_of_a_sibling_district_get_404_for_its_enterprises(client, enterprise_a, out_of_scope_user):
    assert get(client, out_of_scope_user, "enterprise_detail", enterprise_a.pk).status_code == 404


def test_the_observer_reads_the_results(client, season, observer):
    assert get(client, observer, "season_results", season.pk).status_code == 200


def test_the_observer_cannot_run_the_matching(client, season, observer):
    client.force_login(observer)

    assert client.post(reverse("workstudy:season_match", args=[season.pk])).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, season):
    response = client.get(reverse("workstudy:season_detail", args=[season.pk]))

    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_grassroots_user_does_not_see_work_study_pages(client, tree):
    from hardship.models import Role
    from tests.factories import user_with_role

    grassroots = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])

    assert get(client, grassroots, "home").status_code == 403
