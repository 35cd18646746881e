"""How the consistency test drives tickets (申诉/投诉/举报/公示异议): one per state and guard, personas, calls.

``build(tree)`` returns tickets on 海溪公司's files and one complaint to 惠山区 — waiting, in progress,
an appeal whose file has meanwhile left 不予受理 (the uphold guard), and each closed state — and the
personas: every role at the file's own, a parent and a sibling union, and centre staff of the city.
``offered`` reads the ticket page's buttons.
"""

import re

from django.test import Client
from django.urls import reverse

from cases.models import HardshipStandard, Household, Opinion, Status, Step
from cases.services import household_create
from cases.tickets import services as svc
from cases.tickets.models import Ticket
from hardship.models import Role, User
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role

from .harness_household_review import ROLES

R = Role


def build(tree) -> tuple[list[tuple[str, Ticket]], dict[str, User]]:
    HardshipStandard.objects.get_or_create(union=tree["city"], effective_from=WUXI["effective_from"], defaults=WUXI)
    places = {"own": tree["company"], "parent": tree["huishan"], "sibling": tree["lihu"]}
    personas: dict[str, User] = {}
    for role in ROLES:
        for where, union in places.items():
            personas[f"{role}@{where}"] = user_with_role(role, union)
    staff = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    centre = personas["centre@city"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    personas["observer@city"] = user_with_role(R.DISCIPLINE_OBSERVER, tree["city"])
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}

    def household(status):
        made = household_create(actor=staff, union=tree["company"], data=household_data(), members=[person()])
        Household.objects.filter(pk=made.pk).update(status=status)
        if status == Status.REJECTED:
            Opinion.objects.create(household=made, step=Step.FIRST, decision="reject", text="不符合", actor=staff)
        return made

    def appeal():
        rejected = household(Status.REJECTED)
        return svc.ticket_submit(kind="appeal", subject="rejection", household_id=rejected.pk, text="申诉",
                                 actor=staff)  # fmt: skip

    def complaint():
        return svc.ticket_submit(kind="complaint", union=tree["huishan"], text="态度差", name="王", phone="139",
                                 ip="10.0.0.1")  # fmt: skip

    def in_progress(ticket):
        svc.ticket_reply(actor=centre, ticket_id=ticket.pk, text="已受理")
        return ticket

    def moved_on():
        ticket = in_progress(appeal())
        Household.objects.filter(pk=ticket.household_id).update(status=Status.DRAFT)
        return ticket

    def closed(ticket, upheld):
        svc.ticket_close(actor=centre, ticket_id=ticket.pk, upheld=upheld, outcome="办结")
        return ticket

    made = [
        ("appeal, open", appeal()),
        ("complaint, open", complaint()),
        ("appeal, in progress", in_progress(appeal())),
        ("complaint, in progress", in_progress(complaint())),
        ("appeal, in progress, file no longer rejected", moved_on()),
        ("appeal, upheld", closed(in_progress(appeal()), True)),
        ("complaint, dismissed", closed(in_progress(complaint()), False)),
    ]
    return [(label, Ticket.objects.select_related("household", "union").get(pk=t.pk)) for label, t in made], personas


_ACTION = re.compile(r'data-action="(\w+)"')


def offered(ticket: Ticket, user: User) -> set[str]:
    """The actions the ticket's page offers ``user`` (its enabled buttons)."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:ticket_detail", args=[ticket.pk]))
    if response.status_code != 200:
        return set()
    return set(_ACTION.findall(response.content.decode()))


def _assign(ticket, user):
    return svc.ticket_assign(actor=user, ticket_id=ticket.pk, assignee=user)


CALLS = {
    "assign": _assign,
    "reply": lambda t, u: svc.ticket_reply(actor=u, ticket_id=t.pk, text="答复"),
    "uphold": lambda t, u: svc.ticket_close(actor=u, ticket_id=t.pk, upheld=True, outcome="成立"),
    "dismiss": lambda t, u: svc.ticket_close(actor=u, ticket_id=t.pk, upheld=False, outcome="不成立"),
}

STATES_COVERED = {"open", "in_progress", "upheld", "dismissed"}
