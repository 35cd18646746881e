"""The dashboard's cached summary: one snapshot of tallies per refresh (programs.reports.services).

Every tally row is keyed by the union the counted rows belong to, so a reader sums the rows of
its union subtree (``union_id IN (SELECT id … WHERE path LIKE '1/5/%')``, the same scope helper
as every other read). The tables hold a few hundred rows per snapshot however many households
there are: reading them costs the same at 7 households or at a million.

``union`` and ``program`` carry no database constraint: the summary is a disposable copy,
rewritten every few minutes, and must never stand in the way of the tables it summarises.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from hardship.models import Union

__all__ = ["DashboardSnapshot", "ExitTally", "FlowTally", "HouseholdTally", "MoneyTally"]

MONEY = {"max_digits": 16, "decimal_places": 2}


class DashboardSnapshot(models.Model):
    """One complete refresh of the tallies, taken at ``taken_at`` (its figures are as of ``as_of``)."""

    taken_at = models.DateTimeField(_("更新时间"), db_index=True)
    as_of = models.DateField(_("统计日期"))
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("看板数据快照")
        verbose_name_plural = _("看板数据快照")
        ordering = ["-taken_at", "-id"]

    def __str__(self) -> str:
        return f"{self.taken_at:%Y-%m-%d %H:%M}"


def _snapshot():
    return models.ForeignKey(DashboardSnapshot, on_delete=models.CASCADE, related_name="+")


def _union():
    return models.ForeignKey(
        Union, verbose_name=_("工会"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )


class HouseholdTally(models.Model):
    """Households per union × status × tier × main cause."""

    snapshot = _snapshot()
    union = _union()
    status = models.CharField(max_length=20)
    tier = models.CharField(max_length=20)
    main_cause = models.CharField(max_length=30)
    households = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "union"], name="tally_household_snap")]


class FlowTally(models.Model):
    """New files and exits per union × month (the twelve months up to the snapshot's date)."""

    snapshot = _snapshot()
    union = _union()
    month = models.DateField()
    filed = models.PositiveIntegerField(default=0)
    exited = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "union"], name="tally_flow_snap")]


class ExitTally(models.Model):
    """The exit-rate figures of the snapshot's year per union (definition: selectors.ExitFigures)."""

    snapshot = _snapshot()
    union = _union()
    year = models.PositiveSmallIntegerField()
    on_file_at_start = models.PositiveIntegerField()
    filed_in_year = models.PositiveIntegerField()
    exits = models.PositiveIntegerField()
    out_of_hardship = models.PositiveIntegerField()
    relieved = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["snapshot", "union"], name="tally_exit_snap")]


class MoneyTally(models.Model):
    """Money paid (approved, exported, paid) per union × program × entitlement period × batch.

    Kept by the raw keys rather than by quarter: the refresh then groups a million payments without
    a join to the batch or a regular expression per row; the reader maps the few tally rows to
    their quarter (selectors.quarter_of), exactly as the live figures do.
    """

    snapshot = _snapshot()
    union = _union()
    program = models.ForeignKey("programs.Program", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    period_key = models.CharField(max_length=20)
    batch = models.ForeignKey("programs.Batch", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    total = models.DecimalField(**MONEY)

    class Meta:
        indexes = [models.Index(fields=["snapshot", "union"], name="tally_money_snap")]
