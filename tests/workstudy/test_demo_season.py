"""The demo's work-study season is the coming vacation, whatever day the demo is seeded."""

from datetime import date

import pytest

from hardship.dates import age_on
from programs.workstudy.demo import coming_vacation, season_dates
from programs.workstudy.models import Term


@pytest.mark.parametrize(
    ("today", "term", "starts_on", "ends_on"),
    [
        (date(2026, 12, 3), Term.WINTER, date(2027, 1, 25), date(2027, 2, 26)),
        (date(2027, 1, 24), Term.WINTER, date(2027, 1, 25), date(2027, 2, 26)),
        (date(2027, 1, 25), Term.SUMMER, date(2027, 7, 5), date(2027, 8, 28)),  # the winter has begun
        (date(2027, 7, 5), Term.WINTER, date(2028, 1, 31), date(2028, 3, 3)),
    ],
)
def test_the_demo_season_is_the_next_vacation_not_yet_begun(today, term, starts_on, ends_on):
    season = coming_vacation(today)

    assert (season["term"], season["starts_on"], season["ends_on"]) == (term, starts_on, ends_on)
    assert season["year"] == starts_on.year


def test_the_demo_students_show_the_age_rules_on_the_season_start():
    dates = season_dates(date(2026, 12, 3))
    starts, births = dates["season"]["starts_on"], dates["births"]

    assert age_on(births["吴佳怡"], starts) == 16  # turns 16 on the first day: may apply
    assert age_on(births["周子涵"], starts) == 15  # one day short
    assert age_on(births["周子豪"], starts) == 17  # a minor: the health check is required
    insurance = dates["insurance"]
    assert insurance["agreement_signed_on"] < starts
    assert (
        insurance["insurance_valid_from"] <= starts < dates["season"]["ends_on"] <= insurance["insurance_valid_until"]
    )
