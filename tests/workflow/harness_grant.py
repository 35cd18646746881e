"""How the consistency test drives the one-off grant: one grant per state, the personas, the calls.

The grants are of 海溪公司's households (own), under 惠山区 (parent), beside 蠡湖 (sibling); the
applicant is a 干事 who is also a fund approver there (the duty case).
"""

import re
from datetime import date
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from cases.models import Household, Status
from hardship.identity import make_id_number
from hardship.models import Role, RoleAssignment, User
from programs.assistance import services as svc
from programs.assistance.demo import seed_programs
from programs.assistance.models import Grant, Program
from tests.factories import user_with_role

R = Role
ROLES = [R.FUND_APPROVER, R.CENTRE_STAFF, R.GRASSROOTS_STAFF, R.DISCIPLINE_OBSERVER]


def build(tree) -> tuple[list[tuple[str, Grant]], dict[str, User]]:
    seed_programs(union=tree["huishan"])
    medical = Program.objects.get(code="medical")
    places = {"own": tree["company"], "parent": tree["huishan"], "sibling": tree["lihu"]}
    personas = {f"{role}@{where}": user_with_role(role, union) for role in ROLES for where, union in places.items()}
    applicant = personas["applicant"] = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    RoleAssignment.objects.create(user=applicant, union=tree["company"], role=R.FUND_APPROVER)
    decider = user_with_role(R.FUND_APPROVER, tree["huishan"])
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}  # fresh role caches

    def new(label, seq, then=None):
        household = Household.objects.create(
            union=tree["company"], status=Status.FILED, tier="extreme", head_name=f"孙{seq}", phone="13905100003",
            head_id_number=make_id_number("320206", date(1971, 6, 1), 900 + seq), address="堰桥街道 2 号",
            main_cause="serious_illness",
        )  # fmt: skip
        grant = svc.grant_apply(actor=applicant, household=household, program=medical, amount=Decimal("800"),
                                self_paid=Decimal("1000"), reason="住院自付")  # fmt: skip
        if then:
            then(grant)
        return label, Grant.objects.select_related("household__union").get(pk=grant.pk)

    def decide(approve):
        return lambda g: svc.grant_decide(actor=decider, grant_id=g.pk, approve=approve, reason="核实")

    grants = [
        new("applied", 1),
        new("approved", 2, decide(True)),
        new("rejected", 3, decide(False)),
        # Scheduled by a batch's computation (tests/programs covers that move and its audit event).
        new("scheduled", 4, lambda g: (decide(True)(g), Grant.objects.filter(pk=g.pk).update(status="scheduled"))),
    ]
    return grants, personas


_FORM = r'action="{url}"(.*?)</form>'
_ACTION = re.compile(r'data-action="(\w+)"')


def offered(grant: Grant, user: User) -> set[str]:
    """The decisions the grant list offers on this grant's row."""
    client = Client()
    client.force_login(user)
    response = client.get(reverse("programs:grant_list"))
    if response.status_code != 200:
        return set()
    url = re.escape(reverse("programs:grant_decide", args=[grant.pk]))
    form = re.search(_FORM.format(url=url), response.content.decode(), re.S)
    return set(_ACTION.findall(form.group(1))) if form else set()


CALLS = {
    "approve": lambda g, u: svc.grant_decide(actor=u, grant_id=g.pk, approve=True, reason=""),
    "reject": lambda g, u: svc.grant_decide(actor=u, grant_id=g.pk, approve=False, reason="不符合条件"),
}
