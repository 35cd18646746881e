"""How the consistency test drives 追回款: one receivable per state, the personas, the calls.

The fund is 惠山区's (own), under 无锡市 (parent), beside 滨湖区 (sibling); one household of 海溪公司 was paid
in this quarter's batch, and each receivable recovers 10 yuan of it. The duty case: who proposed a
write-off is a fund approver too, and may not approve it.
"""

import re
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hardship.models import Role, RoleAssignment, User
from programs.recovery import services as svc
from programs.recovery.models import Receivable
from tests.factories import user_with_role
from tests.programs.recovery_world import paid_household

from .harness_household_review import ROLES

R = Role
TEN = Decimal("10")


def build(tree) -> tuple[list[tuple[str, Receivable]], dict[str, User]]:
    fund = tree["huishan"]
    places = {"own": fund, "parent": tree["city"], "sibling": tree["binhu"]}
    personas = {f"{role}@{where}": user_with_role(role, union) for role in ROLES for where, union in places.items()}
    proposer = personas["proposer"] = user_with_role(R.CENTRE_STAFF, fund)
    RoleAssignment.objects.create(user=proposer, union=fund, role=R.FUND_APPROVER)
    approver = personas["approver"] = user_with_role(R.FUND_APPROVER, fund)
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}
    paid = paid_household(union=tree["company"], fund=fund, starter=proposer, approver=approver)
    ids = [p.pk for p in paid.payments]

    def raised():
        return svc.receivable_raise(actor=proposer, household_id=paid.household.pk, payment_ids=ids, amount=TEN,
                                    reason="信息比对发现有车辆")  # fmt: skip

    def collected(amount):
        receivable = raised()
        svc.receivable_collect(actor=proposer, receivable_id=receivable.pk, amount=amount,
                               received_on=timezone.localdate())  # fmt: skip
        return receivable

    def proposed():
        receivable = raised()
        return svc.receivable_propose_write_off(actor=proposer, receivable_id=receivable.pk, reason="户主已故")

    def reversed_():
        receivable = collected(Decimal("5"))
        svc.instalment_reverse(actor=proposer, receivable_id=receivable.pk,
                               entry_id=receivable.entries.get(kind="instalment").pk, reason="误登记")  # fmt: skip
        return receivable

    made = [
        ("open", raised()),
        ("open, its one instalment reversed", reversed_()),
        ("open, half collected", collected(Decimal("5"))),
        ("write-off proposed", proposed()),
        ("settled", collected(TEN)),
        ("written off", svc.receivable_decide_write_off(actor=approver, receivable_id=proposed().pk, approve=True)),
    ]
    return [(label, Receivable.objects.get(pk=r.pk)) for label, r in made], personas


_ACTION = re.compile(r'href="[^"]*/recoveries/\d+/([\w-]+)/" data-action="\1"')
# 冲正 is offered on each instalment's row of the ledger.
_REVERSE = re.compile(r'href="[^"]*/recoveries/\d+/entries/\d+/reverse/" data-action="reverse_instalment"')


def offered(receivable: Receivable, user: User) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("programs:receivable_detail", args=[receivable.pk]))
    if response.status_code != 200:
        return set()
    page = response.content.decode()
    return set(_ACTION.findall(page)) | ({"reverse_instalment"} if _REVERSE.search(page) else set())


def _instalment(receivable: Receivable):
    """The instalment the page would offer to reverse (or, with none, the first entry: refused)."""
    entries = receivable.entries.order_by("id")
    return (entries.filter(kind="instalment", reversal__isnull=True).first() or entries.first()).pk


CALLS = {
    "collect": lambda r, u: svc.receivable_collect(actor=u, receivable_id=r.pk, amount=Decimal("1"),
                                                   received_on=timezone.localdate()),
    "reverse_instalment": lambda r, u: svc.instalment_reverse(actor=u, receivable_id=r.pk, entry_id=_instalment(r),
                                                              reason="收款凭证金额登记有误"),
    "propose_write_off": lambda r, u: svc.receivable_propose_write_off(actor=u, receivable_id=r.pk, reason="无力偿还"),
    "approve_write_off": lambda r, u: svc.receivable_decide_write_off(actor=u, receivable_id=r.pk, approve=True),
    "reject_write_off": lambda r, u: svc.receivable_decide_write_off(actor=u, receivable_id=r.pk, approve=False,
                                                                     note="仍可收回"),
}  # fmt: skip
