"""Calendar helpers: working days (weekends skipped), month arithmetic and ages."""

from datetime import date, timedelta


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def working_day_span(start: date, days: int) -> tuple[date, date]:
    """A period of ``days`` working days from ``start`` (moved to a working day): (first, last)."""
    first = next_working_day(start)
    last, counted = first, 1
    while counted < days:
        last += timedelta(days=1)
        if is_working_day(last):
            counted += 1
    return first, last


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
