"""A household that was paid: 惠山区's fund, one filed 特困 household, one approved batch of the current quarter."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from cases.models import Household, Status
from hardship.identity import make_id_number
from programs.assistance import services as money
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Payment, Program
from programs.assistance.periods import quarter_of

BANK = "中国工商银行"
BUDGET = Decimal("100000")
_sequence = iter(range(700, 899))


@dataclass
class Paid:
    household: Household
    payments: list[Payment]

    @property
    def total(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0"))


def fund_with_budget(*, fund, approver) -> None:
    if not Program.objects.filter(fund_union=fund).exists():
        seed_programs(union=fund)
        Program.objects.filter(fund_union=fund).update(is_active=True)
        money.budget_allocate(actor=approver, union=fund, year=timezone.localdate().year, amount=BUDGET, memo="预算")


def paid_household(*, union, fund, starter, approver, name="钱建国") -> Paid:
    """A filed 特困 household of ``union`` paid by ``fund`` in this quarter's approved batch (once per test)."""
    fund_with_budget(fund=fund, approver=approver)
    household = Household.objects.create(
        union=union, status=Status.FILED, tier="extreme", head_name=name, phone="13905100002",
        head_id_number=make_id_number("320206", date(1970, 5, 1), next(_sequence)), address="惠山区堰桥街道 1 号",
        main_cause="serious_illness", bank_name=BANK, bank_card="6222021234567890128", filed_at=date(2025, 1, 6),
    )  # fmt: skip
    period = quarter_of(timezone.localdate()).key
    batch = Batch.objects.create(union=fund, period=period, created_by=starter)
    batch_compute(batch_id=batch.pk)
    money.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    payments = list(Payment.objects.filter(household=household, batch=batch))
    assert payments, "the household was not paid"
    return Paid(household, payments)
