"""How the consistency test drives 销毁清单: one list per state, the personas, the calls.

``build(tree)`` returns lists of the city: drafted (with files, and one empty), submitted by a centre
staff member, approved and rejected; the personas are every role at the list's own union (the city),
below it (a district) and a sibling city, the submitter and another centre staff member.
"""

import re
from datetime import date

from django.test import Client
from django.urls import reverse

from cases.archive import services as svc
from cases.archive.models import DestructionEntry, DestructionList
from cases.models import Household, Status
from cases.services import household_create
from hardship.models import Role, Union, User
from tests.cases.conftest import household_data, person
from tests.factories import UnionFactory, user_with_role

from .harness_household_review import ROLES

R = Role


def build(tree) -> tuple[list[tuple[str, DestructionList]], dict[str, User]]:
    other_city = UnionFactory(name="苏州市总工会", level=Union.Level.CITY)
    places = {"own": tree["city"], "below": tree["huishan"], "sibling": other_city}
    personas: dict[str, User] = {}
    for role in ROLES:
        for where, union in places.items():
            personas[f"{role}@{where}"] = user_with_role(role, union)
    submitter = personas["submitter"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    approver = personas["centre@city"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}

    def listed(with_files=True):
        destruction = DestructionList.objects.create(union=tree["city"], cutoff=date(2016, 1, 1))
        if with_files:
            household = household_create(actor=submitter, union=tree["company"], data=household_data(),
                                         members=[person()])  # fmt: skip
            Household.objects.filter(pk=household.pk).update(status=Status.CLOSED, closed_at=date(2015, 6, 1),
                                                             close_reason="deceased")  # fmt: skip
            DestructionEntry.objects.create(destruction_list=destruction, household=household,
                                            status_when_listed="closed", closed_on=date(2015, 6, 1))  # fmt: skip
        return destruction

    def submitted():
        return svc.destruction_list_submit(actor=submitter, list_id=listed().pk)

    made = [
        ("drafted", listed()),
        ("drafted, empty", listed(with_files=False)),
        ("submitted", submitted()),
        ("approved", svc.destruction_list_approve(actor=approver, list_id=submitted().pk)),
        ("rejected", svc.destruction_list_reject(actor=approver, list_id=submitted().pk, note="再核对")),
    ]
    return [(label, DestructionList.objects.get(pk=d.pk)) for label, d in made], personas


_ACTION = re.compile(r'href="[^"]*/archive/destruction/\d+/([\w-]+)/" data-action="\1"')


def offered(destruction: DestructionList, user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:destruction_detail", args=[destruction.pk]))
    if response.status_code != 200:
        return set()
    return set(_ACTION.findall(response.content.decode()))


CALLS = {
    "submit": lambda d, u: svc.destruction_list_submit(actor=u, list_id=d.pk),
    "approve": lambda d, u: svc.destruction_list_approve(actor=u, list_id=d.pk),
    "reject": lambda d, u: svc.destruction_list_reject(actor=u, list_id=d.pk, note="不同意"),
}
