"""The State Council's holiday arrangements (国务院办公厅关于部分节假日安排的通知), the one copy.

The data migration hardship/0005 loads them into ``CalendarDay``, and so does
``seed_demo`` (a live-server test flushes the database). 2027: no notice was
at hand when this was written; the system admin enters it in the Django admin
(节假日安排) when it is published — until then 2027 counts weekends only, and
the pages say so.
"""

from datetime import date, timedelta

# 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社）:
# (name, first holiday, last holiday, 调休 workdays)
ARRANGEMENTS = {
    2026: [
        ("元旦", date(2026, 1, 1), date(2026, 1, 3), [date(2026, 1, 4)]),
        ("春节", date(2026, 2, 15), date(2026, 2, 23), [date(2026, 2, 14), date(2026, 2, 28)]),
        ("清明节", date(2026, 4, 4), date(2026, 4, 6), []),
        ("劳动节", date(2026, 5, 1), date(2026, 5, 5), [date(2026, 5, 9)]),
        ("端午节", date(2026, 6, 19), date(2026, 6, 21), []),
        ("中秋节", date(2026, 9, 25), date(2026, 9, 27), []),
        ("国庆节", date(2026, 10, 1), date(2026, 10, 7), [date(2026, 9, 20), date(2026, 10, 10)]),
    ],
}


def arrangement_rows(year: int) -> list[tuple[date, str, str]]:
    """(day, kind, name) of one year's arrangement: each holiday, and each 调休 workday."""
    rows = []
    for name, first, last, workdays in ARRANGEMENTS.get(year, []):
        rows += [(first + timedelta(days=n), "holiday", name) for n in range((last - first).days + 1)]
        rows += [(workday, "workday", name) for workday in workdays]
    return rows


def load_arrangements(calendar_day_model) -> int:
    """Add the published arrangements' days that are missing (an admin's corrections are kept)."""
    added = 0
    for year in ARRANGEMENTS:
        for day, kind, name in arrangement_rows(year):
            _entry, created = calendar_day_model.objects.get_or_create(day=day, defaults={"kind": kind, "name": name})
            added += created
    return added
