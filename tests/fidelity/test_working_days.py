"""Working days follow the State Council's holiday notice: 法定节假日 are skipped, 调休 weekends count.

The 2026 arrangement is loaded by the data migration (and by ``seed_demo``); the
tests load it again with the same function, so they do not depend on the order
in which a flushing test ran.
"""

from datetime import date
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import HardshipStandard, Household, Status, Step
from cases.review import services as review
from cases.services import household_create
from hardship.dates import add_working_days, unplanned_years, working_day_span
from hardship.holidays import load_arrangements
from hardship.models import AuditEvent, CalendarDay, Role
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import SocialOrganisationFactory, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def calendar_2026(db):
    load_arrangements(CalendarDay)


def test_a_notice_starting_the_working_day_before_national_day_ends_after_the_holiday(calendar_2026):
    # Given 30 September 2026, a Wednesday, the last working day before 国庆 (1–7 October)
    start = date(2026, 9, 30)

    # When a 5-working-day 公示 starts on it
    first, last = working_day_span(start, 5)

    # Then it counts 30 Sep, then resumes after the holiday: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (the 调休
    # Saturday), 12 Oct (Mon) — it does not "end" while everyone is on holiday
    assert (first, last) == (date(2026, 9, 30), date(2026, 10, 12))


def test_a_swapped_saturday_counts_as_a_working_day(calendar_2026):
    # Given Friday 8 May 2026, after 劳动节 (1–5 May), with Saturday 9 May a 调休 working day
    # When the 3rd working day after Thursday 7 May is counted
    due = add_working_days(date(2026, 5, 7), 3)

    # Then 8 May (Fri) and 9 May (the swapped Saturday) count, Sunday 10 May does not: Monday 11 May
    assert due == date(2026, 5, 11)
    # And a notice starting on the swapped Saturday starts that day
    assert working_day_span(date(2026, 5, 9), 1) == (date(2026, 5, 9), date(2026, 5, 9))


def test_a_year_without_an_arrangement_counts_weekends_only_and_says_so(calendar_2026):
    # Given 2027, whose notice is not entered
    # When a notice starts on Friday 1 October 2027
    first, last = working_day_span(date(2027, 10, 1), 5)

    # Then only weekends are skipped, and the year is named as counted by weekends only
    assert (first, last) == (date(2027, 10, 1), date(2027, 10, 7))
    assert unplanned_years([first, last]) == [2027]
    assert unplanned_years([date(2026, 10, 12)]) == []


def test_the_second_review_approval_sets_the_notice_by_the_holiday_calendar(tree, calendar_2026, settings):
    # Given a case whose 复审 is approved on 30 September 2026
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    entrant = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    first = user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"])
    centre = user_with_role(Role.CENTRE_STAFF, tree["city"])
    org = SocialOrganisationFactory(contracted_by=tree["city"])
    reviewer = user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org)
    household = household_create(actor=entrant, union=tree["company"], data=household_data(), members=[person()])
    visit = review.VisitInput(visited_on=timezone.localdate(), living_conditions="两室", findings="属实")
    review.household_submit(actor=entrant, household_id=household.pk)
    review.visit_record(actor=first, household_id=household.pk, step=Step.FIRST, visit=visit)
    review.first_review_decide(actor=first, household_id=household.pk, decision="approve", text="")
    review.second_review_assign(actor=centre, household_id=household.pk, organisation=org)
    review.visit_record(actor=reviewer, household_id=household.pk, step=Step.SECOND, visit=visit)
    settings.PUBLIC_NOTICE_WORKING_DAYS = 5

    # When the reviewer approves it that day
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 9, 30)):
        review.second_review_decide(actor=reviewer, household_id=household.pk, decision="approve", text="")

    # Then the 公示 runs to 12 October, after 国庆
    household.refresh_from_db()
    assert household.status == Status.PUBLIC_NOTICE
    assert (household.notice_start, household.notice_end) == (date(2026, 9, 30), date(2026, 10, 12))


def test_the_first_review_queue_is_due_five_working_days_after_the_submission(client, tree, calendar_2026):
    # Given a case submitted on 30 September 2026 (before 国庆)
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    entrant = user_with_role(Role.GRASSROOTS_STAFF, tree["company"])
    street = user_with_role(Role.GRASSROOTS_STAFF, tree["yanqiao"])
    household = household_create(actor=entrant, union=tree["company"], data=household_data(), members=[person()])
    review.household_submit(actor=entrant, household_id=household.pk)
    submitted = timezone.make_aware(timezone.datetime(2026, 9, 30, 10, 0))
    Household.objects.filter(pk=household.pk).update(submitted_at=submitted)

    # When the street union's 干事 opens the 待初审 queue and the file
    client.force_login(street)
    queue = client.get(reverse("cases:review_queue") + "?queue=first").content.decode()
    page = client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()

    # Then the visit is due on 13 October — the 5th working day after 30 September: 8, 9, 10 (the 调休
    # Saturday), 12, 13 October — shown on both, and overdue by now
    due = add_working_days(date(2026, 9, 30), 5)
    assert due == date(2026, 10, 13)
    assert "2026-10-13" in queue
    assert "已逾期" in queue
    assert "2026-10-13" in page


def test_a_page_showing_a_date_in_a_year_without_a_calendar_says_so(client, tree, calendar_2026):
    # Given a case in 公示 whose dates fall in 2027 (no arrangement entered)
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    centre = user_with_role(Role.CENTRE_STAFF, tree["city"])
    household = household_create(actor=centre, union=tree["company"], data=household_data(), members=[person()])
    Household.objects.filter(pk=household.pk).update(
        status=Status.PUBLIC_NOTICE, notice_start=date(2027, 1, 4), notice_end=date(2027, 1, 8)
    )

    # When centre staff open the file and the 公示 page
    client.force_login(centre)
    pages = [
        client.get(reverse("cases:household_detail", args=[household.pk])).content.decode(),
        client.get(reverse("cases:notice_list")).content.decode(),
    ]

    # Then each says 2027 is counted by weekends only
    for body in pages:
        assert "2027 · 该年度节假日安排未录入，仅按周末计算" in body


def test_the_system_admin_edits_the_calendar_and_each_change_is_audited(client, tree, calendar_2026):
    # Given the system admin (is_staff) in the Django admin
    admin = user_with_role(Role.SYSTEM_ADMIN, tree["city"])
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)

    # When they add a 2027 holiday, then correct its name
    url = reverse("admin:hardship_calendarday_add")
    client.post(url, {"day": "2027-01-01", "kind": "holiday", "name": "元旦节"})
    entry = CalendarDay.objects.get(day=date(2027, 1, 1))
    client.post(reverse("admin:hardship_calendarday_change", args=[entry.pk]),
                {"day": "2027-01-01", "kind": "holiday", "name": "元旦"})  # fmt: skip

    # Then the calendar counts it, and the audit log holds both changes
    assert add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # Fri 1 Jan off, weekend, Mon 4
    events = list(AuditEvent.objects.filter(target_type="hardship.calendarday").order_by("id"))
    assert [e.verb for e in events] == ["calendar.create", "calendar.change"]
    assert events[1].changes == {"name": ["元旦节", "元旦"]}
    assert events[0].actor == admin


def test_a_corrected_calendar_day_counts_at_once_though_the_calendar_is_cached(db):
    # given the calendar of 2026 read (and cached) once
    from hardship.dates import is_working_day
    from hardship.models import CalendarDay

    saturday = date(2026, 11, 14)
    assert not is_working_day(saturday)
    # when the admin enters that Saturday as a 调休 workday
    CalendarDay.objects.create(day=saturday, kind=CalendarDay.Kind.WORKDAY, name="调休")
    # then the next count sees it
    assert is_working_day(saturday)
