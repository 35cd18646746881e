"""The worker's 我的消息: reading the page changes nothing; 「全部标为已读」 (a POST) marks what the page showed."""

import pytest

from cases.notices.models import FamilyEvent, FamilyNotification
from cases.notices.services import family_notification_deliver

pytestmark = pytest.mark.django_db


def _tell(household, n: int):
    return family_notification_deliver(household_id=household.pk, event=FamilyEvent.FILED, key=f"test:{n}",
                                       context={})  # fmt: skip


def _unread(household) -> int:
    return FamilyNotification.objects.filter(household=household, read_at__isnull=True).count()


def test_opening_the_messages_page_leaves_them_unread(worker_client, household):
    _tell(household, 1)
    _tell(household, 2)

    first = worker_client.get("/family/messages/").content.decode()
    second = worker_client.get("/family/messages/").content.decode()

    assert _unread(household) == 2
    assert first.count('data-testid="unread-notice"') == second.count('data-testid="unread-notice"') == 2
    assert 'data-testid="mark-notices-read"' in second


def test_the_home_page_counts_the_unread_messages(worker_client, household):
    _tell(household, 1)

    page = worker_client.get("/family/").content.decode()

    assert 'data-testid="unread-notices">1<' in page


def test_mark_all_read_marks_the_messages_the_page_showed_and_not_one_that_came_after(worker_client, household):
    shown = [_tell(household, 1), _tell(household, 2)]
    page = worker_client.get("/family/messages/").content.decode()
    assert f'name="up_to" value="{shown[-1].pk}"' in page
    later = _tell(household, 3)  # arrives while the worker reads

    response = worker_client.post("/family/messages/read/", {"up_to": shown[-1].pk}, follow=True)

    assert response.redirect_chain[-1][0] == "/family/messages/"
    assert list(FamilyNotification.objects.filter(household=household, read_at__isnull=True)) == [later]
    body = response.content.decode()
    assert body.count('data-testid="unread-notice"') == 1 and "消息已全部标为已读" in body


def test_once_all_are_read_the_button_is_gone(worker_client, household):
    notice = _tell(household, 1)

    worker_client.post("/family/messages/read/", {"up_to": notice.pk})

    page = worker_client.get("/family/messages/").content.decode()
    assert _unread(household) == 0 and 'data-testid="mark-notices-read"' not in page


@pytest.mark.parametrize("post", [{}, {"up_to": ""}, {"up_to": "x"}, {"up_to": "0"}, {"up_to": "1e9999"},
                                  {"up_to": "9" * 40}, {"up_to": "1\x00"}])  # fmt: skip
def test_a_mark_read_without_a_valid_newest_message_changes_nothing(worker_client, household, post):
    _tell(household, 1)

    response = worker_client.post("/family/messages/read/", post)

    assert response.status_code == 302 and _unread(household) == 1


def test_a_get_of_the_mark_read_address_is_refused(worker_client, household):
    _tell(household, 1)

    assert worker_client.get("/family/messages/read/").status_code == 405
    assert _unread(household) == 1


def test_a_worker_marks_only_their_own_households_messages(worker_client, household, tree, grassroots):
    from cases.services import household_create
    from tests.cases.conftest import household_data, person

    other = household_create(actor=grassroots, union=tree["company"], data=household_data(phone="13905100002"),
                             members=[person(name="欧阳明")])  # fmt: skip
    theirs = _tell(other, 9)

    worker_client.post("/family/messages/read/", {"up_to": theirs.pk})

    assert _unread(other) == 1
