"""Refreshing the dashboard's cached summary (models.DashboardSnapshot and its tallies).

Why a cached summary rather than indexed aggregates: at a million households the live
aggregates cost ~600 ms a page even as index-only scans (the status × tier × cause GROUP BY
alone reads every household's index entry), and every page view paid it again. The figures
are management figures: ten minutes old is fine, and the page says how old they are. So one
set-based refresh (INSERT … SELECT … GROUP BY union, a few seconds at a million) runs every ten
minutes from Celery beat, and each page view sums a few hundred tally rows of its union subtree.
The quarterly and yearly returns (.xlsx) stay live: they are official returns, downloaded
rarely, and must be exact at the moment they are taken.

The tallies are written with the same querysets as the live figures (selectors), grouped by
union: the summary cannot drift from the definitions the tests check.
"""

import logging
import time
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases.models import Household
from hardship.dates import add_months
from programs.assistance.models import Payment

from . import selectors
from .models import DashboardSnapshot, ExitTally, FlowTally, HouseholdTally, MoneyTally

logger = logging.getLogger(__name__)

TALLIES = (HouseholdTally, FlowTally, ExitTally, MoneyTally)
# Any constant: serialises refreshes across workers (PostgreSQL only; SQLite serialises writes anyway).
_REFRESH_LOCK = 7_300_417


def _insert_select(model, columns: list[str], queryset: QuerySet, **constants) -> int:
    """INSERT INTO <tally> (constants…, columns…) SELECT <constants>, … FROM (<queryset>) q: set-based.

    ``queryset`` is a values()/annotate() queryset whose output columns are named like ``columns``
    prefixed with ``k_`` (the tally's own field names would clash with the source model's).
    """
    sql, params = queryset.query.sql_with_params()
    qn = connection.ops.quote_name
    target = ", ".join(qn(c) for c in [*constants, *columns])
    source = ", ".join(["%s"] * len(constants) + [f"q.{qn('k_' + c)}" for c in columns])
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(model._meta.db_table)} ({target}) SELECT {source} FROM ({sql}) q",  # noqa: S608
            [*constants.values(), *params],
        )
        return cursor.rowcount


def _write_tallies(snapshot: DashboardSnapshot) -> None:
    as_of = snapshot.as_of
    households = Household.objects.all()
    _insert_select(
        HouseholdTally,
        ["union_id", "status", "tier", "main_cause", "households"],
        households.values(k_union_id=F("union_id"), k_status=F("status"), k_tier=F("tier"),
                          k_main_cause=F("main_cause")).annotate(k_households=Count("*")).order_by(),
        snapshot_id=snapshot.pk,
    )  # fmt: skip

    first = add_months(as_of.replace(day=1), -11)
    # One insert per date: a month's files and exits are two rows, summed when read.
    for field, column, other in (("filed_at", "filed", "exited"), ("exited_at", "exited", "filed")):
        _insert_select(
            FlowTally,
            ["union_id", "month", column],
            households.filter(**{f"{field}__gte": first, f"{field}__lte": as_of})
            .values(k_union_id=F("union_id"), k_month=TruncMonth(field))
            .annotate(**{f"k_{column}": Count("*")})
            .order_by(),
            snapshot_id=snapshot.pk,
            **{other: 0},
        )

    figures = ["on_file_at_start", "filed_in_year", "exits", "out_of_hardship", "relieved"]
    aggregates = selectors.exit_aggregates(as_of.year, as_of)
    _insert_select(
        ExitTally,
        ["union_id", *figures],
        households.filter(filed_at__isnull=False)
        .values(k_union_id=F("union_id"))
        .annotate(**{f"k_{name}": aggregates[name] for name in figures})
        .order_by(),
        snapshot_id=snapshot.pk,
        year=as_of.year,
    )

    _insert_select(
        MoneyTally,
        ["union_id", "program_id", "period_key", "batch_id", "total"],
        Payment.objects.filter(status__in=selectors.COUNTED_PAYMENTS)
        .values(k_union_id=F("entitlement__union_id"), k_program_id=F("entitlement__program_id"),
                k_period_key=F("entitlement__period_key"), k_batch_id=F("batch_id"))
        .annotate(k_total=Sum("amount"))
        .order_by(),
        snapshot_id=snapshot.pk,
    )  # fmt: skip


def dashboard_summary_refresh(*, now: datetime | None = None) -> DashboardSnapshot | None:
    """Take a new snapshot of the dashboard's figures and drop the old ones, atomically.

    Readers see the previous snapshot until this one commits, then this one. The snapshot just
    replaced is kept one more round (a page that started reading it a moment ago finishes with
    the same figures); every older one is deleted. Returns None when another refresh holds the
    lock: it is computing the same figures.
    """
    now = now or timezone.now()
    started = time.perf_counter()
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if outermost:
                    # One consistent view of every table for all the tallies (new files, exits and
                    # money can change while the refresh runs).
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_REFRESH_LOCK])
                if not cursor.fetchone()[0]:
                    logger.info("dashboard summary: another refresh is running")
                    return None
        snapshot = DashboardSnapshot.objects.create(taken_at=now, as_of=timezone.localdate(now))
        _write_tallies(snapshot)
        keep = list(DashboardSnapshot.objects.order_by("-taken_at", "-id").values_list("pk", flat=True)[:2])
        for model in TALLIES:
            model.objects.exclude(snapshot_id__in=keep).delete()
        DashboardSnapshot.objects.exclude(pk__in=keep).delete()
        snapshot.duration_ms = round((time.perf_counter() - started) * 1000)
        snapshot.save(update_fields=["duration_ms"])
    return snapshot
