"""The demo data and the benchmark command."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from hardship.models import User
from programs.workstudy.models import Application, Enterprise, Position, Season, SeasonStatus


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=io.StringIO())


def counts():
    return (Enterprise.objects.count(), Season.objects.count(), Position.objects.count(), Application.objects.count())


def test_the_demo_enterprise_login_is_the_contact_of_海溪(demo):
    enterprise = Enterprise.objects.get(name="无锡海溪防腐设备有限公司")

    assert list(enterprise.contacts.all()) == [User.objects.get(username="enterprise")]


def test_the_demo_has_an_open_season_in_the_coming_vacation_with_positions_and_students(demo):
    season = Season.objects.get()

    assert season.starts_on > timezone.localdate()  # e.g. 2027年寒假 when seeded in December 2026
    assert season.status == SeasonStatus.OPEN
    # 吴佳怡 may apply only because she turns 16 on the first day: the demo registered her.
    assert season.applications.filter(name="吴佳怡").exists()
    assert Enterprise.objects.filter(insurance_valid_until__gte=season.ends_on).count() == 3
    assert season.positions.count() == 5
    assert season.applications.filter(kind="hardship").count() >= 2
    assert season.applications.filter(kind="outstanding").count() == 3


def test_the_demo_is_idempotent(demo):
    before = counts()

    call_command("seed_demo", stdout=io.StringIO())

    assert counts() == before


def test_bench_matching_prints_a_verified_json_line_last():
    out = io.StringIO()

    call_command("bench_matching", students=2000, positions=1000, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (result["students"], result["positions"], result["verified"], result["blocking_pairs"]) == (
        2000,
        1000,
        True,
        0,
    )
    assert 0 < result["placed"] <= 2000
