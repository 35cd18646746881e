"""Reads of help beyond cash for one household (the household itself comes from cases.selectors, scoped)."""

from datetime import date

from django.utils import timezone

from ..models import Household
from .models import BenchmarkRate, MutualCoverClaim, MutualCoverEnrolment, NonCashHelp, StartupLoan
from .subsidy import loan_subsidy


def help_timeline(*, household: Household) -> list[NonCashHelp]:
    return list(NonCashHelp.objects.filter(household=household).select_related("recorded_by"))


def benchmark_rate_on(day: date) -> BenchmarkRate | None:
    return BenchmarkRate.objects.filter(effective_from__lte=day).order_by("-effective_from").first()


def loans_with_subsidy(*, household: Household) -> list[dict]:
    """Each loan with the subsidy at the rate in force on its start date (None when no rate is set)."""
    rows = []
    for loan in StartupLoan.objects.filter(household=household):
        rate = benchmark_rate_on(loan.start_date)
        subsidy = loan_subsidy(amount=loan.amount, rate_percent=rate.rate_percent) if rate else None
        rows.append({"loan": loan, "rate": rate, "subsidy": subsidy})
    return rows


def mutual_cover(*, household: Household) -> list[MutualCoverEnrolment]:
    return list(
        MutualCoverEnrolment.objects.filter(member__household=household)
        .select_related("member", "plan")
        .prefetch_related("claims")
        .order_by("-year", "plan__name")
    )


def today() -> date:
    return timezone.localdate()


__all__ = ["MutualCoverClaim", "benchmark_rate_on", "help_timeline", "loans_with_subsidy", "mutual_cover"]
