"""The 创业贷 interest subsidy (pure function): two years of interest at the benchmark rate,
the part up to 100,000 元 in full, the part above it at half."""

from dataclasses import dataclass
from decimal import Decimal

from hardship.money import money

FULL_PART_CAP = Decimal("100000")
HALF_SHARE = Decimal("0.5")
YEARS = 2


@dataclass(frozen=True)
class SubsidyStep:
    principal: Decimal
    share: Decimal  # 1 or 0.5
    amount: Decimal


@dataclass(frozen=True)
class Subsidy:
    rate_percent: Decimal
    years: int
    steps: list[SubsidyStep]
    total: Decimal


def loan_subsidy(*, amount: Decimal, rate_percent: Decimal, years: int = YEARS) -> Subsidy:
    """E.g. 150,000 at 4.35%: 100,000×4.35%×2 = 8,700 + 50,000×4.35%×50%×2 = 2,175 → 10,875.00."""
    rate = Decimal(rate_percent) / 100
    full = min(amount, FULL_PART_CAP)
    steps = [SubsidyStep(money(full), Decimal("1"), money(full * rate * years))]
    above = amount - full
    if above > 0:
        steps.append(SubsidyStep(money(above), HALF_SHARE, money(above * rate * HALF_SHARE * years)))
    return Subsidy(Decimal(rate_percent), years, steps, money(sum(s.amount for s in steps)))
