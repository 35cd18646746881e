"""How the consistency test drives the work-study season: one season per state (tests/workflow/workstudy_world.py)."""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from programs.workstudy import services
from programs.workstudy.models import SafetyClass, Season
from tests.workflow.workstudy_world import world

_ACTION = re.compile(r'data-action="(\w+)"')


def build(tree):
    w = world(tree)
    seasons = []
    for label, made in [("open", w.open), ("matched", w.matched), ("published", w.published), ("closed", w.closed)]:
        season = Season.objects.select_related("union").get(pk=made.pk)
        season.student, season.position, season.world = made.student, made.position, w
        seasons.append((label, season))
    return seasons, w.personas


def offered(season, user) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workstudy:season_detail", args=[season.pk]))
    return set(_ACTION.findall(response.content.decode())) if response.status_code == 200 else set()


def _register(season, user):
    position = season.position or season.world.open_position
    services.application_register(actor=user, season_id=season.pk, member_id=season.student.pk,
                                  details=services.StudentDetails(), preferences=[position.pk])  # fmt: skip


def _post(season, user):
    enterprise = season.world.by_user_enterprise.get(user.pk, season.world.enterprise_a)
    data = {"title": "新岗位", "place": "厂区", "places": 1, "pay": Decimal("2300"), "hours_per_day": 8,
            "safety_class": SafetyClass.NORMAL, "min_age": None, "school_levels": [], "field_of_study": ""}  # fmt: skip
    services.position_create(actor=user, season_id=season.pk, enterprise_id=enterprise.pk, data=data)


def _family_register(season, worker):
    position = season.position or season.world.open_position
    services.application_register_by_family(worker=worker, season_id=season.pk, member_id=season.student.pk,
                                            details=services.StudentDetails(), preferences=[position.pk])  # fmt: skip


CALLS = {
    "register": _register,
    "family_register": _family_register,
    "post_position": _post,
    "match": lambda s, u: services.season_run_matching(actor=u, season_id=s.pk),
    "publish": lambda s, u: services.season_publish(actor=u, season_id=s.pk),
    "close": lambda s, u: services.season_close(actor=u, season_id=s.pk),
}
