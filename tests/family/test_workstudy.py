"""关爱·圆梦 from the family channel: a filed household's student (16+ on the season's start) signs up with up to
five positions, sees the result and accepts the position; another household's worker cannot."""

import re
from datetime import date

import pytest
from django.test import Client

from family.models import WorkerAccount
from programs.workstudy import services
from programs.workstudy.models import Application, Placement
from tests.family.conftest import sign_in
from tests.workstudy.conftest import centre, contact_a, enterprise_a, filed_student, make_position, season  # noqa: F401

pytestmark = pytest.mark.django_db


def _worker_for(member, phone):
    household = member.household
    account = WorkerAccount(phone=phone, name=household.head_name, household=household)
    account.set_id_number(household.head_id_number)
    account.save()
    client = Client()
    sign_in(client, phone)
    return client


@pytest.fixture
def student(tree):
    return filed_student(tree["company"], birth=date(2008, 3, 1))


@pytest.fixture
def position(centre, season, enterprise_a):  # noqa: F811
    return make_position(centre, season, enterprise_a)


def test_a_filed_households_student_signs_up_sees_the_result_and_accepts(student, season, position, centre):  # noqa: F811
    client = _worker_for(student, "13911112222")

    page = client.get("/family/workstudy/").content.decode()
    response = client.post(f"/family/workstudy/{season.pk}/sign-up/",
                           {f"s{season.pk}-student": student.pk, f"s{season.pk}-choice1": position.pk})  # fmt: skip

    assert 'data-action="family_register"' in page and student.name in page
    assert response.status_code == 302
    application = Application.objects.get(member=student)
    assert application.registered_by is None and list(application.preferences.values_list("position", flat=True)) == [
        position.pk
    ]
    services.season_run_matching(actor=centre, season_id=season.pk)
    services.season_publish(actor=centre, season_id=season.pk)
    placement = Placement.objects.get(application=application)
    page = client.get("/family/workstudy/").content.decode()
    assert position.title in page and 'data-action="student_accept"' in page
    client.post(f"/family/workstudy/placements/{placement.pk}/accept/")
    placement.refresh_from_db()
    assert placement.student_accepted_at is not None
    assert 'data-action="student_accept"' not in client.get("/family/workstudy/").content.decode()


def test_a_student_under_sixteen_on_the_seasons_start_is_not_offered(tree, season, position):  # noqa: F811
    young = filed_student(tree["company"], birth=date(2012, 3, 1), name="蒋小小")
    client = _worker_for(young, "13911113333")

    assert young.name not in client.get("/family/workstudy/").content.decode()


def test_another_households_worker_cannot_sign_up_or_accept_for_the_student(tree, student, season, position, centre):  # noqa: F811
    other = filed_student(tree["company"], birth=date(2007, 5, 1), name="钱多多")
    client = _worker_for(other, "13911114444")

    client.post(f"/family/workstudy/{season.pk}/sign-up/",
                {f"s{season.pk}-student": student.pk, f"s{season.pk}-choice1": position.pk})  # fmt: skip

    assert not Application.objects.filter(member=student).exists()


def test_a_placement_or_season_not_the_workers_is_a_404(student, season, position):  # noqa: F811
    client = _worker_for(student, "13911115555")

    assert client.post("/family/workstudy/placements/999999/accept/").status_code == 404
    assert client.post(f"/family/workstudy/{season.pk + 1000}/sign-up/").status_code == 404


def test_in_english_the_sign_up_names_each_positions_pay_in_english_and_signs_up(student, season, position):  # noqa: F811
    client = _worker_for(student, "13911112223")

    page = client.get("/family/workstudy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert f"{position.title} · {position.pay:.2f} yuan a month" in page
    button = re.search(r'<button[^>]*data-action="family_register"[^>]*>([^<]*)</button>', page)
    assert button.group(1).strip() == "Sign up"
