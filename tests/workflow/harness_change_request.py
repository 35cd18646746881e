"""How the consistency test drives 变更申请: one request per state (and per guard), the personas, the calls.

``build(tree)`` returns requests on filed files of 海溪公司 — a draft, one waiting, one waiting whose member
has since left the file, one on a file no longer filed, and one of each closed state — and the
personas: every role at the file's own, a parent and a sibling union, the requesters (a grassroots
and a centre one) and another centre staff member. ``offered`` reads the request page's buttons.
"""

import re
from datetime import date
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from cases.changes import services as svc
from cases.changes.models import ChangeRequest
from cases.models import HardshipStandard, Household, Member, Status
from cases.services import household_create
from hardship.identity import make_id_number
from hardship.models import Role, User
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import user_with_role

from .harness_household_review import ROLES

R = Role
_seq = iter(range(500, 999))


def _newborn() -> dict:
    return {"relation": "child", "name": "蒋小宝", "id_number": make_id_number("320206", date(2026, 1, 8), next(_seq)),
            "work_status": "preschool", "health": "healthy", "disability": "none", "medical_insurance": "resident",
            "school_level": ""}  # fmt: skip


def build(tree) -> tuple[list[tuple[str, ChangeRequest]], dict[str, User]]:
    HardshipStandard.objects.get_or_create(union=tree["city"], effective_from=WUXI["effective_from"], defaults=WUXI)
    places = {"own": tree["company"], "parent": tree["huishan"], "sibling": tree["lihu"]}
    personas: dict[str, User] = {}
    for role in ROLES:
        for where, union in places.items():
            personas[f"{role}@{where}"] = user_with_role(role, union)
    asker = personas["requester"] = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    centre_asker = personas["centre_requester"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    centre = personas["centre@city"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}

    def filed():
        couple = [person(), person("spouse", "李秀英", date(1980, 6, 2), "unable")]
        household = household_create(actor=asker, union=tree["company"], data=household_data(), members=couple)
        Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
        return household

    def draft(who=asker, household=None):
        household = household or filed()
        return svc.change_propose(actor=who, household_id=household.pk, kind="member_add", reason="birth",
                                  after=_newborn())  # fmt: skip

    def submitted(who=asker):
        change = draft(who)
        return svc.change_submit(actor=who, change_id=change.pk)

    def member_gone():
        household = filed()
        spouse = household.members.get(relation="spouse")
        change = svc.change_propose(actor=asker, household_id=household.pk, kind="member_change", reason="work",
                                    member_id=spouse.pk, after={"work_status": "employed",
                                                                "income_wages": Decimal("30000")})  # fmt: skip
        svc.change_submit(actor=asker, change_id=change.pk)
        Member.objects.filter(pk=spouse.pk).update(removed=True, is_live=False)
        return change

    def not_filed_any_more():
        change = draft()
        Household.objects.filter(pk=change.household_id).update(status=Status.EXITED)
        return change

    def approved():
        change = submitted()
        return svc.change_approve(actor=centre, change_id=change.pk)

    def rejected():
        change = submitted()
        return svc.change_reject(actor=centre, change_id=change.pk, note="材料不全")

    def withdrawn():
        change = draft()
        return svc.change_withdraw(actor=asker, change_id=change.pk)

    made = [
        ("draft", draft()),
        ("draft by centre staff", draft(centre_asker)),
        ("draft, file no longer filed", not_filed_any_more()),
        ("submitted", submitted()),
        ("submitted by centre staff", submitted(centre_asker)),
        ("submitted, member left the file meanwhile", member_gone()),
        ("approved", approved()),
        ("rejected", rejected()),
        ("withdrawn", withdrawn()),
    ]
    return [(label, ChangeRequest.objects.get(pk=change.pk)) for label, change in made], personas


_ACTION = re.compile(r'href="[^"]*/changes/\d+/([\w-]+)/" data-action="\1"')


def offered(change: ChangeRequest, user: User) -> set[str]:
    """The actions the request's page offers ``user`` (its enabled buttons)."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:change_detail", args=[change.pk]))
    if response.status_code != 200:
        return set()
    return set(_ACTION.findall(response.content.decode()))


CALLS = {
    "submit": lambda c, u: svc.change_submit(actor=u, change_id=c.pk),
    "withdraw": lambda c, u: svc.change_withdraw(actor=u, change_id=c.pk),
    "approve": lambda c, u: svc.change_approve(actor=u, change_id=c.pk),
    "reject": lambda c, u: svc.change_reject(actor=u, change_id=c.pk, note="不符合"),
}

STATES_COVERED = {"draft", "submitted", "approved", "rejected", "withdrawn"}
