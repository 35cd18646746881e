"""Figures for the dashboard and the returns, all scoped to the acting user's unions.

Everything here is an aggregate the database computes (GROUP BY / COUNT / SUM), never rows
read into Python, so the dashboard stays fast at a million households:
- tier, status and main cause come from ONE ``GROUP BY status, tier, main_cause`` served by the
  index ``household_dashboard`` (status, tier, main_cause) INCLUDE (union): an index-only scan
  filtered on the scope's ``union_id IN (…)``, at most ~500 groups;
- files and exits per month are range scans on the partial indexes ``household_filed_at`` /
  ``household_exited_at`` (INCLUDE union), grouped by month;
- money is ``SUM(amount)`` over payments joined to their entitlement, grouped by period and program.
These live figures cost ~600 ms a page at a million households, so the dashboard reads a cached
summary instead (``dashboard_figures``: the tallies of models.py, refreshed every ten minutes by
a Celery beat task, see services.py for why); it computes them live only before the first
snapshot exists (a fresh install). The returns (.xlsx) are always live.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import Cause, ExitKind, Household, Status, Tier
from hardship.access import scope_queryset
from hardship.dates import add_months
from hardship.models import Role
from hardship.money import money
from programs.assistance.models import Payment
from programs.assistance.periods import parse_quarter
from programs.recovery.models import ReceivableEntry
from programs.workstudy.selectors import season_queryset

from .models import DashboardSnapshot, ExitTally, FlowTally, HouseholdTally, MoneyTally

# Who sees the dashboard and downloads the returns.
REPORT_READERS = (Role.CENTRE_STAFF, Role.FUND_APPROVER, Role.DISCIPLINE_OBSERVER, Role.SYSTEM_ADMIN)
# Money that has left, or is about to leave, the fund (not pending, failed or cancelled).
COUNTED_PAYMENTS = (Payment.Status.APPROVED, Payment.Status.EXPORTED, Payment.Status.PAID)
EXIT_TARGET = Decimal("0.30")
_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
# A snapshot older than this (three missed refreshes: beat or the worker is down) is still shown,
# with a warning: computing the figures live for every page view would cost seconds each at a
# million households (most of it the money over a million payments) and load the database.
SNAPSHOT_MAX_AGE = timedelta(minutes=30)


def household_queryset(*, user) -> QuerySet[Household]:
    return scope_queryset(Household.objects.all(), user, roles=REPORT_READERS)


def payment_queryset(*, user) -> QuerySet[Payment]:
    # The entitlement carries a copy of the household's union: the scope filters on it.
    return scope_queryset(
        Payment.objects.filter(status__in=COUNTED_PAYMENTS),
        user,
        union_field="entitlement__union",
        roles=REPORT_READERS,
    )


def _labelled(counts: dict[str, int], choices) -> list[tuple[str, int]]:
    return [(str(label), counts.get(value, 0)) for value, label in choices.choices if counts.get(value, 0)]


def household_breakdown(*, user) -> dict:
    """Households by status (all files), and the filed ones by tier and main cause: one query."""
    rows = household_queryset(user=user).values("status", "tier", "main_cause").annotate(n=Count("*")).order_by()
    return _breakdown(rows)


def _breakdown(rows) -> dict:
    by_status: dict[str, int] = {}
    by_tier: dict[str, int] = {}
    by_cause: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        if row["status"] == Status.FILED:
            by_tier[row["tier"]] = by_tier.get(row["tier"], 0) + row["n"]
            by_cause[row["main_cause"]] = by_cause.get(row["main_cause"], 0) + row["n"]
    return {
        "status": _labelled(by_status, Status),
        "tier": _labelled(by_tier, Tier),
        "cause": _labelled(by_cause, Cause),
        "total": sum(by_status.values()),
        "filed": by_status.get(Status.FILED, 0),
    }


def monthly_flow(*, user, today: date) -> list[dict]:
    """New files (filed_at) and exits (exited_at) per month, the last 12 months including this one."""
    first = flow_start(today)
    households = household_queryset(user=user)
    filed = _per_month(households.filter(filed_at__gte=first, filed_at__lte=today), "filed_at")
    exited = _per_month(households.filter(exited_at__gte=first, exited_at__lte=today), "exited_at")
    return _flow(first, filed, exited)


def flow_start(today: date) -> date:
    return add_months(today.replace(day=1), -11)


def _flow(first: date, filed: dict[date, int], exited: dict[date, int]) -> list[dict]:
    months = [add_months(first, i) for i in range(12)]
    return [{"month": m, "label": f"{m:%Y-%m}", "filed": filed.get(m, 0), "exited": exited.get(m, 0)} for m in months]


def _per_month(queryset: QuerySet, field: str) -> dict[date, int]:
    rows = queryset.annotate(month=TruncMonth(field)).values("month").annotate(n=Count("*")).order_by()
    return {_as_date(r["month"]): r["n"] for r in rows}


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


@dataclass(frozen=True)
class ExitFigures:
    year: int
    on_file_at_start: int
    filed_in_year: int
    exits: int
    out_of_hardship: int
    relieved: int

    @property
    def base(self) -> int:
        return self.on_file_at_start + self.filed_in_year

    @property
    def rate(self) -> Decimal | None:
        """Exits this year ÷ (households on file on 1 January + households filed during the year)."""
        return (Decimal(self.exits) / self.base).quantize(Decimal("0.0001")) if self.base else None

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"

    @property
    def meets_target(self) -> bool:
        return self.rate is not None and self.rate >= EXIT_TARGET


def exit_aggregates(year: int, until: date) -> dict:
    jan1 = date(year, 1, 1)
    on_file_at_start = Q(filed_at__lt=jan1) & (Q(exited_at__isnull=True) | Q(exited_at__gte=jan1))
    exited = Q(exited_at__gte=jan1, exited_at__lte=until)
    return {
        "on_file_at_start": Count("filed_at", filter=on_file_at_start),
        "filed_in_year": Count("filed_at", filter=Q(filed_at__gte=jan1, filed_at__lte=until)),
        "exits": Count("filed_at", filter=exited),
        "out_of_hardship": Count("filed_at", filter=exited & Q(exit_kind=ExitKind.OUT_OF_HARDSHIP)),
        "relieved": Count("filed_at", filter=exited & Q(exit_kind=ExitKind.RELIEVED)),
    }


def _year_end(year: int, today: date) -> date:
    return min(today, date(year, 12, 31))


def exit_figures(*, user, year: int, today: date) -> ExitFigures:
    """The year's exit rate against the 30% target (definition: ExitFigures.rate)."""
    households = household_queryset(user=user).filter(filed_at__isnull=False)
    totals = households.aggregate(**exit_aggregates(year, _year_end(year, today)))
    return ExitFigures(year=year, **totals)


def exit_return(*, user, year: int, today: date) -> list[tuple[str, ExitFigures]]:
    """The yearly exit return: the same figures per union."""
    rows = (
        household_queryset(user=user)
        .filter(filed_at__isnull=False)
        .values("union__name", "union__path")
        .annotate(**exit_aggregates(year, _year_end(year, today)))
        .order_by("union__path")
    )
    return [
        (r.pop("union__name"), ExitFigures(year=year, **{k: v for k, v in r.items() if k != "union__path"}))
        for r in rows
    ]


def quarter_of(period_key: str, batch_period: str) -> str:
    """A quarterly entitlement is keyed by its quarter; a yearly or one-off one counts in its batch's quarter."""
    return period_key if _QUARTER.match(period_key) else batch_period


def money_by_quarter(*, user, today: date, quarters: int = 8) -> dict:
    """Money paid per quarter and program, the last ``quarters`` quarters."""
    rows = (
        payment_queryset(user=user)
        .values("entitlement__period_key", "batch__period", "entitlement__program__name")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return _money_table(
        ((quarter_of(r["entitlement__period_key"], r["batch__period"]), r["entitlement__program__name"], r["total"])
         for r in rows),
        quarters,
    )  # fmt: skip


def _money_table(rows, quarters: int) -> dict:
    """(quarter, program name, amount) rows → the table of the last ``quarters`` quarters by program."""
    table: dict[str, dict[str, Decimal]] = {}
    programs: set[str] = set()
    for quarter, program, total in rows:
        programs.add(program)
        table.setdefault(quarter, {}).setdefault(program, Decimal("0"))
        table[quarter][program] += total
    keys = sorted(table)[-quarters:]
    names = sorted(programs)
    return {
        "programs": names,
        "rows": [
            {
                "quarter": q,
                "cells": [money(table[q].get(p, 0)) for p in names],
                "total": money(sum(table[q].values(), Decimal("0"))),
            }
            for q in keys
        ],
    }


RECOVERY_LINE = "追回误发资金"


def _with_recoveries(rows, *, user, quarter: str):
    """The quarter's payments, then its recoveries (追回) as negative money on a line of their own per union
    (an instalment reversed by mistake counts back, in the quarter of its 冲正): the return's total is what
    the fund really spent."""
    yield from rows.iterator(chunk_size=5000)
    try:
        period = parse_quarter(quarter)
    except ValidationError:
        return
    received = scope_queryset(
        ReceivableEntry.objects.filter(kind__in=(ReceivableEntry.Kind.INSTALMENT, ReceivableEntry.Kind.REVERSAL),
                                       received_on__range=(period.start, period.end)),
        user, union_field="receivable__household__union", roles=REPORT_READERS,
    ).values_list("receivable__household__union__path", "receivable__household__union__name",
                  "receivable__household_id", "receivable__household__member_count", "amount")  # fmt: skip
    for path, union, household_id, people, amount in received.order_by():
        yield path, union, RECOVERY_LINE, household_id, people, amount


def quarterly_return(*, user, quarter: str) -> list[dict]:
    """Households, people and money by union and program for one quarter (the 季报); recoveries subtract."""
    rows = (
        payment_queryset(user=user)
        .filter(
            Q(entitlement__period_key=quarter)
            | (~Q(entitlement__period_key__regex=r"^\d{4}-Q") & Q(batch__period=quarter))
        )
        .values_list(
            "entitlement__union__path",
            "entitlement__union__name",
            "entitlement__program__name",
            "household_id",
            "household__member_count",
            "amount",
        )  # fmt: skip
        .order_by()
    )
    groups: dict[tuple, dict] = {}
    for path, union, program, household_id, people, amount in _with_recoveries(rows, user=user, quarter=quarter):
        g = groups.setdefault((path, union, program), {"households": {}, "money": Decimal("0")})
        g["households"][household_id] = people
        g["money"] += amount
    return [
        {
            "union": union,
            "program": program,
            "households": len(g["households"]),
            "people": sum(g["households"].values()),
            "money": money(g["money"]),
        }  # fmt: skip
        for (_path, union, program), g in sorted(groups.items())
    ]


def current_season(*, user) -> dict | None:
    """The latest 关爱·圆梦 season the user sees, with its applications and placements."""
    season = season_queryset(user=user).order_by("-year", "-starts_on").first()
    if season is None:
        return None
    return {
        "season": season,
        "applications": season.applications.count(),
        "placements": season.placements.count(),
    }


# The dashboard: the latest snapshot of the cached summary, or the live figures.


def latest_snapshot() -> DashboardSnapshot | None:
    return DashboardSnapshot.objects.order_by("-taken_at", "-id").first()


def dashboard_figures(*, user, now: datetime) -> dict:
    """Every figure of the dashboard for the user's union subtree, and where they come from.

    From the latest snapshot when one exists: the figures are as of its date and time
    (``snapshot``, ``as_of``; ``stale`` when older than SNAPSHOT_MAX_AGE). Before the first
    refresh (a fresh install, where there is little data) they are computed live, as of ``now``.
    """
    snapshot = latest_snapshot()
    if snapshot is None:
        today = timezone.localdate(now)
        return {
            "snapshot": None,
            "stale": False,
            "as_of": today,
            "breakdown": household_breakdown(user=user),
            "flow": monthly_flow(user=user, today=today),
            "exits": exit_figures(user=user, year=today.year, today=today),
            "money": money_by_quarter(user=user, today=today),
        }
    return {
        "snapshot": snapshot,
        "stale": snapshot.taken_at < now - SNAPSHOT_MAX_AGE,
        "as_of": snapshot.as_of,
        **_snapshot_figures(snapshot, user=user),
    }


def _snapshot_figures(snapshot: DashboardSnapshot, *, user) -> dict:
    def tallies(model):
        return scope_queryset(model.objects.filter(snapshot=snapshot), user, roles=REPORT_READERS).order_by()

    breakdown = _breakdown(tallies(HouseholdTally).values("status", "tier", "main_cause").annotate(n=Sum("households")))
    months = tallies(FlowTally).values("month").annotate(filed=Sum("filed"), exited=Sum("exited"))
    flow = _flow(
        flow_start(snapshot.as_of),
        {_as_date(r["month"]): r["filed"] for r in months},
        {_as_date(r["month"]): r["exited"] for r in months},
    )
    names = ("on_file_at_start", "filed_in_year", "exits", "out_of_hardship", "relieved")
    totals = tallies(ExitTally).filter(year=snapshot.as_of.year).aggregate(**{n: Sum(n) for n in names})
    exits = ExitFigures(year=snapshot.as_of.year, **{n: totals[n] or 0 for n in names})
    paid = tallies(MoneyTally).values("period_key", "batch__period", "program__name").annotate(total=Sum("total"))
    money_table = _money_table(
        ((quarter_of(r["period_key"], r["batch__period"]), r["program__name"], r["total"]) for r in paid), 8
    )
    return {"breakdown": breakdown, "flow": flow, "exits": exits, "money": money_table}
