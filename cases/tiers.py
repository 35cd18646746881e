"""Per-capita income and hardship tier, the way the city's rules say (pure functions).

Per-capita monthly income = (annual income − 刚性支出) ÷ 12 ÷ household size, where the
annual income is the sum of the members' incomes by source (``Member.income_*``) and a
working-age adult able to work but unemployed is imputed the local minimum wage. The tier
is the first rule that holds, in priority order:
特困 (below the city's 特困 line, where it has one), 深度 (below deep × 低保),
相对 (below relative × 低保), 意外致困 (sudden costs above ratio × annual income).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Round
from django.db.models.lookups import GreaterThan, LessThan

from hardship.dates import age_on
from hardship.money import money

from .models import INCOME_SOURCES, SERIOUS_HEALTH, Disability, Member, Tier, WorkStatus

WORKING_AGE = (18, 60)


@dataclass(frozen=True)
class MemberFacts:
    birth_date: date
    work_status: str
    health: str
    disability: str


@dataclass(frozen=True)
class TierResult:
    annual_income: Decimal
    per_capita_income: Decimal
    tier: str
    imputed_members: int


def is_imputed(member: MemberFacts, on: date) -> bool:
    """A working-age adult who could work but does not is counted at the minimum wage."""
    low, high = WORKING_AGE
    return (
        member.work_status == WorkStatus.UNEMPLOYED
        and low <= age_on(member.birth_date, on) < high
        and member.health not in SERIOUS_HEALTH
        and member.disability == Disability.NONE
    )


def compute_tier(
    *,
    recorded_income: Decimal,
    rigid_expenses: Decimal,
    sudden_event_cost: Decimal,
    members: list[MemberFacts],
    standard,
    on: date,
) -> TierResult:
    imputed = sum(1 for m in members if is_imputed(m, on))
    return assess(recorded_income=recorded_income, rigid_expenses=rigid_expenses, sudden_event_cost=sudden_event_cost,
                  size=len(members), imputed=imputed, standard=standard)  # fmt: skip


def assess(
    *, recorded_income: Decimal, rigid_expenses: Decimal, sudden_event_cost: Decimal, size: int, imputed: int, standard
) -> TierResult:
    """``compute_tier`` once the members are counted: ``size`` of them, ``imputed`` at the minimum wage.

    A register's commit counts its members in SQL and calls this once per household.
    """
    size = max(size, 1)
    annual_income = money(recorded_income + imputed * standard.minimum_wage_monthly * 12)
    net = max(annual_income - rigid_expenses, Decimal("0"))
    per_capita = money(net / 12 / size)
    tier = classify(
        per_capita=per_capita, annual_income=annual_income, sudden_event_cost=sudden_event_cost, standard=standard
    )
    return TierResult(annual_income=annual_income, per_capita_income=per_capita, tier=tier, imputed_members=imputed)


def classify(*, per_capita: Decimal, annual_income: Decimal, sudden_event_cost: Decimal, standard) -> str:
    if standard.extreme_line_monthly is not None and per_capita < standard.extreme_line_monthly:
        return Tier.EXTREME
    if per_capita < standard.dibao_monthly * standard.deep_multiple:
        return Tier.DEEP
    if per_capita < standard.dibao_monthly * standard.relative_multiple:
        return Tier.RELATIVE
    if sudden_event_cost > 0 and sudden_event_cost > annual_income * standard.sudden_cost_ratio:
        return Tier.SUDDEN
    return Tier.NONE


def recorded_income_expression():
    """The household's recorded income in SQL: the sum of its current members' sources (元/年).

    The same figure as ``Household.recorded_income``; the SQL twin, the export and the API read it.
    """
    money_field = DecimalField(max_digits=12, decimal_places=2)
    each = sum((F(source) for source in INCOME_SOURCES[1:]), F(INCOME_SOURCES[0]))
    total = (
        Member.objects.filter(household_id=OuterRef("pk"), removed=False)
        .order_by()
        .values("household_id")
        .annotate(total=Sum(each, output_field=money_field))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=money_field), Value(Decimal("0"), output_field=money_field))


def per_capita_expression(standard):
    """The per-capita formula in SQL over the members' incomes and stored household columns
    (for previews and bulk updates)."""
    money_field = DecimalField(max_digits=12, decimal_places=2)
    annual = recorded_income_expression() + F("imputed_members") * Value(
        standard.minimum_wage_monthly * 12, output_field=money_field
    )
    rigid = F("expense_medical") + F("expense_disability") + F("expense_schooling") + F("expense_housing")
    net = _Real(Greatest(annual - rigid, Value(Decimal("0"), output_field=money_field)), output_field=money_field)
    return Round(ExpressionWrapper(net / Value(12) / F("member_count"), output_field=money_field), 2), annual


class _Real(Func):
    """No-op on PostgreSQL (numeric division is exact); SQLite would divide integers."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(%(expressions)s AS REAL)", **extra)


def tier_expression(standard, per_capita, annual):
    """The rule of ``classify`` as one SQL CASE over the stored columns.

    Both must say the same: a test compares them household by household.
    """

    def amount(value):
        return Value(value, output_field=DecimalField(max_digits=14, decimal_places=4))

    whens = []
    if standard.extreme_line_monthly is not None:
        whens.append(When(LessThan(per_capita, amount(standard.extreme_line_monthly)), then=Value(Tier.EXTREME)))
    whens += [
        When(LessThan(per_capita, amount(standard.dibao_monthly * standard.deep_multiple)), then=Value(Tier.DEEP)),
        When(
            LessThan(per_capita, amount(standard.dibao_monthly * standard.relative_multiple)),
            then=Value(Tier.RELATIVE),
        ),
        When(
            GreaterThan(F("sudden_event_cost"), amount(Decimal("0")))
            & GreaterThan(F("sudden_event_cost"), annual * amount(standard.sudden_cost_ratio)),
            then=Value(Tier.SUDDEN),
        ),
    ]
    return Case(*whens, default=Value(Tier.NONE), output_field=CharField())


def tier_update_values(standard) -> dict:
    """Column → SQL expression: recompute income, per-capita income and tier in one UPDATE."""
    per_capita, annual = per_capita_expression(standard)
    return {
        "annual_income": annual,
        "per_capita_income": per_capita,
        "tier": tier_expression(standard, per_capita, annual),
        "standard_id": standard.pk,
    }


def annotate_tier(queryset, standard):
    """Annotate ``new_tier`` (and ``new_per_capita``): the tier each household would have under ``standard``."""
    per_capita, annual = per_capita_expression(standard)
    return queryset.annotate(new_per_capita=per_capita, new_tier=tier_expression(standard, per_capita, annual))
