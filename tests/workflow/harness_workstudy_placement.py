"""How the consistency test drives a placement: proposed (matched season), published, confirmed, completed
(tests/workflow/workstudy_world.py)."""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from programs.workstudy import services
from programs.workstudy.models import Placement
from tests.workflow.workstudy_world import world

_ACTION = re.compile(r'data-action="(\w+)"')


def build(tree):
    w = world(tree)
    made = [("proposed", w.placed.placements.get()), *[(p.status, p) for p in
            (a.placements.get() for a in w.published_apps)]]  # fmt: skip
    placements = [(label, Placement.objects.select_related("season", "position__enterprise__union", "application")
                   .get(pk=p.pk)) for label, p in made]  # fmt: skip
    return placements, w.personas


def offered(placement, user) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workstudy:placement_detail", args=[placement.pk]))
    return set(_ACTION.findall(response.content.decode())) if response.status_code == 200 else set()


CALLS = {
    "student_accept": lambda p, u: services.placement_accept_by_family(worker=u, placement_id=p.pk),
    "confirm": lambda p, u: services.placement_confirm(actor=u, placement_id=p.pk, starts_on=p.season.starts_on,
                                                       ends_on=p.season.ends_on, health_checked=True),
    "record_earnings": lambda p, u: services.placement_record_earnings(actor=u, placement_id=p.pk, days_attended=10,
                                                                       earnings=Decimal("1000")),
}  # fmt: skip
