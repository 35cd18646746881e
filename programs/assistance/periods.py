"""Periods: "2026-Q4" is a quarter; yearly and festival programs are keyed by the year."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_PERIOD = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.quarter - 1) + 1, 1)

    @property
    def end(self) -> date:
        month = 3 * self.quarter
        return date(self.year + (month == 12), 1 if month == 12 else month + 1, 1).replace(day=1) - _ONE_DAY

    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.quarter == 1 else Quarter(self.year, self.quarter - 1)

    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)

    def __str__(self) -> str:
        return self.key


def parse_quarter(text: str) -> Quarter:
    match = _PERIOD.match((text or "").strip().upper())
    if not match:
        raise ValidationError(_("发放期格式应为“年份-Q季度”，如 2026-Q4。"))
    year = int(match.group(1))
    if not 2000 <= year <= 2100:
        raise ValidationError(_("发放期的年份不合理。"))
    return Quarter(year, int(match.group(2)))


def period_not_begun(quarter: Quarter) -> str | None:
    """A period not yet begun cannot be computed: who is owed for it is not known yet."""
    if quarter.start > timezone.localdate():
        return _("发放期 %(p)s 尚未开始（%(d)s 起），不能计算。") % {"p": quarter.key, "d": quarter.start}
    return None


def is_late(quarter: Quarter) -> bool:
    """A period already over: its batch is a 补发."""
    return quarter.end < timezone.localdate()


def months_of(quarter: Quarter) -> list[tuple[date, date]]:
    """(first day, last day) of each month of the quarter."""
    firsts = [date(quarter.year, 3 * (quarter.quarter - 1) + m, 1) for m in (1, 2, 3)]
    return [(first, (firsts[i + 1] if i < 2 else quarter.end + _ONE_DAY) - _ONE_DAY) for i, first in enumerate(firsts)]


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
