"""The fund's figures a batch approval moves: asked by the workflow's budget guard, shown on the batch page.

A module of its own so that the workflow can read them without importing the selectors (which import it).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from hardship.money import money

from .models import Batch, LedgerEntry, Payment
from .periods import parse_quarter


def fund_balance(*, union, year: int) -> Decimal:
    """The balance of a union's fund for a year: the sum of its append-only ledger."""
    total = LedgerEntry.objects.filter(account__union=union, account__year=year).aggregate(t=Sum("amount"))["t"]
    return money(total or 0)


@dataclass(frozen=True)
class ApprovalFigures:
    """What approving a batch moves: its total, and the fund's balance before and after."""

    year: int
    total: Decimal
    balance: Decimal
    payments: int

    @property
    def after(self) -> Decimal:
        return self.balance - self.total


def approval_figures(*, batch: Batch) -> ApprovalFigures:
    """The figures the approver confirms; read again under the account's lock by the approval itself.

    Kept on the instance: the budget guard and the approval ask them of the same locked row, and a
    city's batch is a million payments to add up (once per request, not twice)."""
    cached = getattr(batch, "_approval_figures", None)
    if cached is not None:
        return cached
    pending = Payment.objects.filter(batch=batch, status=Payment.Status.PENDING).aggregate(
        t=Sum("amount"), n=Count("id"))  # fmt: skip
    year = parse_quarter(batch.period).year
    figures = ApprovalFigures(year=year, total=money(pending["t"] or 0), balance=fund_balance(union=batch.union,
                              year=year), payments=pending["n"])  # fmt: skip
    batch._approval_figures = figures
    return figures
