"""Reads of help beyond cash for one household (the household itself comes from cases.selectors, scoped)."""

from datetime import date

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from hardship.prepared import PreparedQuery

from ..models import Household, Member
from .models import BenchmarkRate, MutualCoverClaim, MutualCoverEnrolment, MutualCoverPlan, NonCashHelp, StartupLoan
from .subsidy import loan_subsidy

_HELP = PreparedQuery(
    "household_help_timeline",
    lambda pk: NonCashHelp.objects.filter(household_id=pk).select_related("recorded_by"),
    args=["pk"],
)


def help_timeline(*, household: Household) -> list[NonCashHelp]:
    return _HELP.fetch(pk=household.pk)


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
    """Every enrolment of the family with its claims, newest year first (the support page)."""
    return list(
        MutualCoverEnrolment.objects.filter(member__household=household)
        .select_related("member", "plan")
        .prefetch_related("claims")
        .order_by("-year", "plan__name", "member__position", "member_id")
    )


def _cover_summary(*, pk: int) -> QuerySet[MutualCoverEnrolment]:
    return (
        MutualCoverEnrolment.objects.filter(member__household_id=pk)
        .select_related("member", "plan")
        .annotate(claim_count=Count("claims"), claim_total=Sum("claims__amount"))
        .order_by("-year", "plan__name", "member__position", "member_id")
    )


_COVER_SUMMARY = PreparedQuery("household_cover_summary", _cover_summary, args=["pk"])


def mutual_cover_summary(*, household: Household) -> list[MutualCoverEnrolment]:
    """The enrolments with their claims counted and summed, in one query (the file page has a query budget);
    compiled once (hardship.prepared): the file page runs it every time."""
    return _COVER_SUMMARY.fetch(pk=household.pk)


def cover_plans() -> QuerySet[MutualCoverPlan]:
    return MutualCoverPlan.objects.order_by("name")


def cover_members(*, household: Household) -> QuerySet[Member]:
    """The members who can be enrolled: those still on the file."""
    return household.members.filter(removed=False).order_by("position", "id")


def claim_members(*, household: Household) -> QuerySet[Member]:
    """The members a claim can be recorded for: those on the file, and those removed since who were
    enrolled (a claim for a stay before a death or a move out is still paid)."""
    enrolled = MutualCoverEnrolment.objects.filter(member__household=household).values("member_id")
    # Member.objects, not household.members: a file fetched by household_get carries a members
    # prefetch limited to current members, and its related manager would apply that filter too.
    return Member.objects.filter(Q(removed=False) | Q(pk__in=enrolled), household=household).order_by("position", "id")


def today() -> date:
    return timezone.localdate()


__all__ = [
    "MutualCoverClaim",
    "benchmark_rate_on",
    "claim_members",
    "cover_members",
    "cover_plans",
    "help_timeline",
    "loans_with_subsidy",
    "mutual_cover",
    "mutual_cover_summary",
]
