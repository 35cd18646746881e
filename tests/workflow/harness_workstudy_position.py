"""How the consistency test drives the work-study position: open (nobody placed / placed / results published),
withdrawn (tests/workflow/workstudy_world.py)."""

import re

from django.test import Client
from django.urls import reverse

from programs.workstudy import services
from programs.workstudy.models import Position
from tests.workflow.workstudy_world import world

_ACTION = re.compile(r'data-action="(\w+)"')


def build(tree):
    w = world(tree)
    made = [("open, nobody placed", w.open_position), ("open, a student placed", w.full),
            ("open, results published", w.published_position), ("withdrawn", w.withdrawn)]  # fmt: skip
    positions = [(label, Position.objects.select_related("enterprise__union", "season__union").get(pk=p.pk))
                 for label, p in made]  # fmt: skip
    return positions, w.personas


def offered(position, user) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("workstudy:position_detail", args=[position.pk]))
    return set(_ACTION.findall(response.content.decode())) if response.status_code == 200 else set()


CALLS = {
    "edit": lambda p, u: services.position_update(actor=u, position_id=p.pk, data={"description": "整理档案"}),
    "withdraw": lambda p, u: services.position_withdraw(actor=u, position_id=p.pk),
}
