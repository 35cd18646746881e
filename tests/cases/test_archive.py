"""The archive's life cycle: 临时档案 (转正 / 注销), 脱困库 and 注销库, retention and destruction, stale files."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.archive import services as archive
from cases.archive.models import DestructionList, DestructionStatus
from cases.history import file_history
from cases.models import Household, Member, Status, Tier
from cases.review import services as review
from cases.services import household_create
from hardship.audit_words import verb_label
from hardship.dates import add_months
from hardship.models import AuditEvent, Role
from hardship.workflow import ActionRefused
from tests.factories import user_with_role

from .conftest import household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], username="centre_a", full_name="钱中心")


@pytest.fixture
def second_centre(tree):
    return user_with_role(Role.CENTRE_STAFF, tree["city"], username="centre_b", full_name="孙中心")


def _sudden(tree, grassroots, **update) -> Household:
    """A household whose accident cost 100,000 against 80,000 of income: 意外致困, at the end of its 公示."""
    household = household_create(
        actor=grassroots, union=tree["company"], members=[person(income_wages=Decimal("80000"))],
        data=household_data(sudden_event_cost=Decimal("100000"), sudden_event_note="车祸", main_cause="accident"),
    )  # fmt: skip
    Household.objects.filter(pk=household.pk).update(
        status=Status.PUBLIC_NOTICE, notice_end=timezone.localdate() - timedelta(days=1), **update
    )
    return Household.objects.get(pk=household.pk)


def _filed(tree, grassroots, **update) -> Household:
    household = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    Household.objects.filter(pk=household.pk).update(status=Status.FILED, filed_at=date(2025, 3, 1), **update)
    return Household.objects.get(pk=household.pk)


def test_a_sudden_hardship_is_filed_as_a_temporary_file_due_twelve_months_later(tree, standard, grassroots, centre):
    # Given a 意外致困 household at the end of its 公示
    household = _sudden(tree, grassroots)
    assert household.tier == Tier.SUDDEN

    # When centre staff file it
    review.household_file(actor=centre, household_id=household.pk)

    # Then it is a 临时档案 due a year after 建档, and its page says so
    household.refresh_from_db()
    assert household.temporary_until == add_months(timezone.localdate(), 12)
    assert household.is_temporary
    assert "请在" in _page(centre, household)


def _page(user, household, client=None):
    from django.test import Client  # noqa: PLC0415 — a fresh client per user

    client = client or Client()
    client.force_login(user)
    return client.get(reverse("cases:household_detail", args=[household.pk])).content.decode()


def test_a_temporary_file_not_confirmed_in_time_is_listed_and_one_far_from_its_deadline_is_not(
    tree, standard, grassroots, centre, client
):
    # Given three temporary files: overdue, due next week, due in half a year; and one confirmed, overdue
    today = timezone.localdate()
    overdue = _filed(tree, grassroots, temporary_until=today - timedelta(days=3), tier=Tier.SUDDEN)
    soon = _filed(tree, grassroots, temporary_until=today + timedelta(days=7), tier=Tier.SUDDEN)
    later = _filed(tree, grassroots, temporary_until=today + timedelta(days=180), tier=Tier.SUDDEN)
    _filed(tree, grassroots, temporary_until=today - timedelta(days=3), confirmed_at=today - timedelta(days=30))

    # When centre staff open the 临时档案 queue
    client.force_login(centre)
    response = client.get(reverse("cases:archive_temporary"))

    # Then the overdue one comes first, marked overdue, then the one due soon; the others are not there
    rows = list(response.context["page"].object_list)
    assert [h.pk for h in rows] == [overdue.pk, soon.pk]
    assert later.pk not in [h.pk for h in rows]
    assert "已逾期" in response.content.decode()


def test_confirming_a_temporary_file_takes_it_off_the_queue_and_the_history_says_so(
    tree, standard, grassroots, centre, client
):
    household = _filed(tree, grassroots, temporary_until=timezone.localdate() - timedelta(days=1), tier=Tier.SUDDEN)

    # When centre staff confirm it through its page
    client.force_login(centre)
    response = client.post(reverse("cases:review_action", args=[household.pk, "confirm"]), {"text": "情况属实"})

    # Then it is a regular file, no longer in the queue, and the history says 临时档案转正
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.confirmed_at == timezone.localdate() and not household.is_temporary
    queue = client.get(reverse("cases:archive_temporary"))
    assert list(queue.context["page"].object_list) == []
    assert "临时档案转正" in [verb_label(e.verb) for e in file_history(household=household)]


def test_a_regular_file_offers_no_confirmation_and_the_service_refuses_it(tree, standard, grassroots, centre):
    household = _filed(tree, grassroots)

    with pytest.raises(ActionRefused, match="不是临时档案"):
        review.household_confirm(actor=centre, household_id=household.pk)
    assert "/review/confirm/" not in _page(centre, household)


def test_closing_a_file_puts_it_in_the_closed_archive_and_frees_its_members(tree, standard, grassroots, centre, client):
    household = _filed(tree, grassroots, temporary_until=timezone.localdate() - timedelta(days=1), tier=Tier.SUDDEN)

    # When centre staff close it: the temporary file was never confirmed
    client.force_login(centre)
    client.post(reverse("cases:review_action", args=[household.pk, "close"]),
                {"reason": "temporary_not_confirmed", "note": "逾期未补材料"})  # fmt: skip

    # Then it is 已注销 with the date and reason, its members may apply anew, and 注销库 finds it
    household.refresh_from_db()
    assert household.status == Status.CLOSED and household.closed_at == timezone.localdate()
    assert not Member.objects.filter(household=household, is_live=True).exists()
    found = client.get(reverse("cases:archive_search"), {"library": "closed", "name": household.head_name[:1]})
    assert household.pk in [h.pk for h in found.context["page"].object_list]
    assert "临时档案逾期未转正" in found.content.decode()
    assert "注销档案" in [verb_label(e.verb) for e in file_history(household=household)]


def test_closing_for_another_reason_needs_a_note(tree, standard, grassroots, centre):
    household = _filed(tree, grassroots)

    with pytest.raises(ActionRefused, match="注销说明"):
        review.household_close(actor=centre, household_id=household.pk, reason="other")


def test_retention_lists_only_files_closed_over_ten_years_ago(tree, standard, grassroots):
    # Given files closed 10 years and a day ago, exactly 10 years ago, 9 years ago, and one exited 11 years ago
    today = timezone.localdate()
    ten_years_ago = add_months(today, -120)
    old = _filed(tree, grassroots)
    Household.objects.filter(pk=old.pk).update(status=Status.CLOSED, closed_at=ten_years_ago - timedelta(days=1),
                                               close_reason="deceased")  # fmt: skip
    exactly = _filed(tree, grassroots)
    Household.objects.filter(pk=exactly.pk).update(status=Status.CLOSED, closed_at=ten_years_ago,
                                                   close_reason="deceased")  # fmt: skip
    recent = _filed(tree, grassroots)
    Household.objects.filter(pk=recent.pk).update(status=Status.CLOSED, closed_at=add_months(today, -108),
                                                  close_reason="moved_away")  # fmt: skip
    exited = _filed(tree, grassroots)
    Household.objects.filter(pk=exited.pk).update(status=Status.EXITED, exited_at=add_months(today, -132),
                                                  exit_kind="out_of_hardship")  # fmt: skip
    _filed(tree, grassroots)  # a live file is never listed

    # When the yearly task runs (twice: a second run adds nothing)
    drafted = archive.destruction_list_draft()
    again = archive.destruction_list_draft()

    # Then one list of the city holds the file closed over ten years ago and the long-exited one, nothing else
    assert len(drafted) == 1 and again == []
    destruction = drafted[0]
    assert destruction.union == tree["city"] and destruction.status == DestructionStatus.DRAFTED
    assert set(destruction.entries.values_list("household_id", flat=True)) == {old.pk, exited.pk}
    # and nothing was destroyed by the task
    assert Household.objects.get(pk=old.pk).destroyed_at is None


def test_destruction_needs_a_second_person_and_keeps_the_audit_trail(tree, standard, grassroots, centre, second_centre,
                                                                      client):  # fmt: skip
    # Given a list of one file closed eleven years ago
    household = _filed(tree, grassroots)
    Household.objects.filter(pk=household.pk).update(status=Status.CLOSED, close_reason="deceased",
                                                     closed_at=add_months(timezone.localdate(), -132))  # fmt: skip
    name = household.head_name
    (destruction,) = archive.destruction_list_draft()

    # When one centre staff member submits it, they may not approve it themselves
    archive.destruction_list_submit(actor=centre, list_id=destruction.pk)
    with pytest.raises(ActionRefused, match="提请人"):
        archive.destruction_list_approve(actor=centre, list_id=destruction.pk)
    client.force_login(centre)
    page = client.get(reverse("cases:destruction_detail", args=[destruction.pk])).content.decode()
    assert 'data-action="approve"' not in page
    assert Household.objects.get(pk=household.pk).head_name == name

    # When another approves it on the confirmation page
    client.force_login(second_centre)
    confirm = client.get(reverse("cases:destruction_action", args=[destruction.pk, "approve"]))
    assert "不能恢复" in confirm.content.decode()
    client.post(reverse("cases:destruction_action", args=[destruction.pk, "approve"]), {"confirm": "on"})

    # Then the file is anonymised, its number and dates kept; the audit trail is whole and says what happened
    household.refresh_from_db()
    assert DestructionList.objects.get(pk=destruction.pk).status == DestructionStatus.APPROVED
    assert household.destroyed_at is not None and household.head_name != name and household.head_id_number == ""
    assert household.phone == "" and household.address == ""
    assert set(Member.objects.filter(household=household).values_list("id_number", flat=True)) == {""}
    assert household.closed_at and household.union == tree["company"]
    verbs = [verb_label(e.verb) for e in file_history(household=household)]
    assert "保存期满销毁（清除个人信息）" in verbs and "建立档案" in verbs
    assert AuditEvent.objects.filter(verb="destruction.approve", actor=second_centre).exists()


def test_a_file_reopened_after_listing_is_not_destroyed(tree, standard, grassroots, centre, second_centre):
    household = _filed(tree, grassroots)
    Household.objects.filter(pk=household.pk).update(status=Status.EXITED, exit_kind="relieved",
                                                     exited_at=add_months(timezone.localdate(), -132))  # fmt: skip
    (destruction,) = archive.destruction_list_draft()
    archive.destruction_list_submit(actor=centre, list_id=destruction.pk)
    Household.objects.filter(pk=household.pk).update(status=Status.REOPENED, exited_at=None)  # 返困

    archive.destruction_list_approve(actor=second_centre, list_id=destruction.pk)

    assert Household.objects.get(pk=household.pk).destroyed_at is None
    assert not destruction.entries.get().destroyed


def test_filed_files_not_changed_for_a_year_are_listed_for_centre_staff(tree, standard, grassroots, centre, client):
    stale = _filed(tree, grassroots)
    Household.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=400))
    fresh = _filed(tree, grassroots)

    client.force_login(centre)
    response = client.get(reverse("cases:archive_stale"))

    listed = [h.pk for h in response.context["page"].object_list]
    assert stale.pk in listed and fresh.pk not in listed


def test_a_search_of_the_archive_by_id_number_is_audited(tree, standard, grassroots, centre, client):
    household = _filed(tree, grassroots)
    Household.objects.filter(pk=household.pk).update(status=Status.EXITED, exit_kind="relieved",
                                                     exited_at=date(2025, 9, 1))  # fmt: skip
    number = household.head_id_number

    client.force_login(centre)
    response = client.get(reverse("cases:archive_search"), {"id_number": number})

    assert [h.pk for h in response.context["page"].object_list] == [household.pk]
    assert AuditEvent.objects.filter(verb="archive.search", actor=centre).exists()


def test_the_archive_pages_say_when_there_is_nothing(tree, standard, centre, client):
    client.force_login(centre)
    for name, words in [("cases:archive_search", "还没有退出帮扶或注销的档案"),
                        ("cases:archive_temporary", "没有逾期或即将到期的临时档案"),
                        ("cases:archive_stale", "没有一年以上未变动"),
                        ("cases:destruction_list", "还没有销毁清单")]:  # fmt: skip
        assert words in client.get(reverse(name)).content.decode()


def test_the_yearly_beat_task_drafts_the_list_and_is_scheduled(tree, standard, grassroots, settings):
    from cases.tasks import draft_destruction_list  # noqa: PLC0415

    household = _filed(tree, grassroots)
    Household.objects.filter(pk=household.pk).update(status=Status.CLOSED, close_reason="duplicate",
                                                     closed_at=add_months(timezone.localdate(), -121))  # fmt: skip

    assert draft_destruction_list() == 1
    assert settings.CELERY_BEAT_SCHEDULE["draft-destruction-list"]["task"] == "cases.tasks.draft_destruction_list"
