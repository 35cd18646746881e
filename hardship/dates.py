"""Calendar helpers: working days (the State Council's holidays and 调休), month arithmetic and ages.

A working day is Monday to Friday, unless the holiday calendar (``CalendarDay``)
makes it a 法定节假日, plus the 调休 weekends it makes workdays. A year with no
row in the calendar is counted by weekends only; ``unplanned_years`` names such
years so that a page showing a date computed from one can say so.

Each function takes an optional ``calendar`` (a ``WorkingCalendar``); without
one it loads the years it needs in one query. A page computing many dates loads
one ``working_calendar(years)`` and passes it.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.cache import cache
from django.utils.translation import gettext_lazy

from .models import CalendarDay

UNPLANNED_NOTE = gettext_lazy("该年度节假日安排未录入，仅按周末计算")

# The longest run of non-working days in a notice is 9 (春节 2026): a span of N working days
# ends within N + 9 + weekends days; loading the start's year and the next covers every span we count.
_YEARS_AHEAD = 1


@dataclass(frozen=True)
class WorkingCalendar:
    """The holidays and 调休 workdays of the years loaded, and which of them have an arrangement."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    planned_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


# The calendar changes a few times a year, and nearly every page counts working days: it is kept in
# the cache (per process, CACHES) for ten minutes at most, and forgotten at once in the process that
# saves a CalendarDay (signals.py). Another web node sees a correction within the ten minutes.
_CACHE_SECONDS = 600
_GENERATION_KEY = "working-calendar:generation"


def working_calendar(years: Iterable[int]) -> WorkingCalendar:
    """The calendar of ``years`` (one query, or none when it is in the cache)."""
    wanted = sorted(set(years))
    key = f"working-calendar:{cache.get(_GENERATION_KEY, 0)}:{','.join(map(str, wanted))}"
    found = cache.get(key)
    if found is not None:
        return found
    rows = list(CalendarDay.objects.filter(day__year__in=wanted).values_list("day", "kind"))
    calendar = WorkingCalendar(
        holidays=frozenset(day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY),
        workdays=frozenset(day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY),
        planned_years=frozenset(day.year for day, _kind in rows),
    )
    cache.set(key, calendar, _CACHE_SECONDS)
    return calendar


def forget_working_calendars() -> None:
    """A day of the calendar was entered, corrected or removed: every cached year is read again."""
    cache.set(_GENERATION_KEY, cache.get(_GENERATION_KEY, 0) + 1, None)


def _calendar_for(start: date, calendar: WorkingCalendar | None) -> WorkingCalendar:
    if calendar is not None:
        return calendar
    return working_calendar(range(start.year, start.year + _YEARS_AHEAD + 1))


def is_working_day(day: date, calendar: WorkingCalendar | None = None) -> bool:
    return _calendar_for(day, calendar).is_working_day(day)


def next_working_day(day: date, calendar: WorkingCalendar | None = None) -> date:
    """``day`` if it is a working day, else the first working day after it."""
    calendar = _calendar_for(day, calendar)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_span(start: date, days: int, calendar: WorkingCalendar | None = None) -> tuple[date, date]:
    """A period of ``days`` working days from ``start`` (moved to a working day): (first, last)."""
    calendar = _calendar_for(start, calendar)
    first = next_working_day(start, calendar)
    return first, add_working_days(first, days - 1, calendar)


def add_working_days(start: date, days: int, calendar: WorkingCalendar | None = None) -> date:
    """The ``days``-th working day after ``start`` (``start`` itself not counted): a due date."""
    calendar = _calendar_for(start, calendar)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def unplanned_years(days: Iterable[date | None], calendar: WorkingCalendar | None = None) -> list[int]:
    """The years among ``days`` with no holiday arrangement entered (counted by weekends only)."""
    years = {day.year for day in days if day is not None}
    if not years:
        return []
    calendar = calendar if calendar is not None else working_calendar(years)
    return sorted(years - calendar.planned_years)


def add_months(day: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def age_on(birth: date, day: date) -> int:
    """Completed years on ``day``: 16 on the 16th birthday, not the day before.

    Someone born on 29 February turns a year older on 1 March in common years.
    """
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
