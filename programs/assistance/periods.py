"""Periods: "2026-Q4" is a quarter; yearly and festival programs are keyed by the year."""

import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
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


def quarter_of(day: date) -> Quarter:
    return Quarter(day.year, (day.month - 1) // 3 + 1)


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)
