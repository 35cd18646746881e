"""How the consistency test drives a student's application (its matching result): pending, placed, unplaced,
excluded — in the matched season, and placed after publication (tests/workflow/workstudy_world.py)."""

import re

from django.test import Client
from django.urls import reverse

from programs.workstudy import services
from programs.workstudy.models import Application
from tests.workflow.workstudy_world import world

_ACTION = re.compile(r'data-action="(\w+)"')


def build(tree):
    w = world(tree)
    made = [("pending", w.pending), ("placed", w.placed), ("unplaced", w.unplaced), ("excluded", w.excluded),
            ("placed, published", w.published_apps[0])]  # fmt: skip
    applications = []
    for label, a in made:
        application = Application.objects.select_related("season__union", "household", "member").get(pk=a.pk)
        application.target = w.roomy if application.season_id == w.matched.pk else w.published_position
        applications.append((label, application))
    return applications, w.personas


def offered(application, user) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workstudy:application_detail", args=[application.pk]))
    return set(_ACTION.findall(response.content.decode())) if response.status_code == 200 else set()


CALLS = {
    "assign": lambda a, u: services.placement_assign(actor=u, application_id=a.pk, position_id=a.target.pk),
    "unassign": lambda a, u: services.placement_unassign(actor=u, application_id=a.pk),
}
