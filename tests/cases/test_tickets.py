"""申诉 / 投诉 / 举报 tickets: the centre's queue, due dates in working days, outcomes on the file's history."""

import itertools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.history import file_history
from cases.models import Household, Opinion, Status, Step
from cases.review import services as review
from cases.services import household_create
from cases.tickets import services as tickets
from cases.tickets.models import AppealSubject, Ticket, TicketKind, TicketStatus
from cases.tickets.records import due_date
from hardship.models import CalendarDay, Role
from hardship.workflow import ActionRefused
from tests.factories import user_with_role

from .conftest import household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree, standard):
    return {
        "entrant": user_with_role(Role.GRASSROOTS_STAFF, tree["company"]),
        "first": user_with_role(Role.GRASSROOTS_STAFF, tree["company"]),
        "caseworker": user_with_role(Role.CASEWORKER, tree["yanqiao"]),
        "centre": user_with_role(Role.CENTRE_STAFF, tree["city"]),
        "colleague": user_with_role(Role.CENTRE_STAFF, tree["city"]),
        "observer": user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"]),
        "sibling_centre": user_with_role(Role.CENTRE_STAFF, tree["binhu"]),
    }


def _visit(actor, household, step):
    visit = review.VisitInput(visited_on=timezone.localdate(), living_conditions="两室一厅", findings="情况属实")
    review.visit_record(actor=actor, household_id=household.pk, step=step, visit=visit)


def rejected_at_first_review(tree, people) -> Household:
    household = household_create(actor=people["entrant"], union=tree["company"], data=household_data(),
                                 members=[person()])  # fmt: skip
    review.household_submit(actor=people["entrant"], household_id=household.pk)
    _visit(people["caseworker"], household, Step.FIRST)
    review.first_review_decide(actor=people["first"], household_id=household.pk, decision="reject", text="收入超标")
    return Household.objects.get(pk=household.pk)


def appeal(household, people) -> Ticket:
    return tickets.ticket_submit(kind=TicketKind.APPEAL, subject=AppealSubject.REJECTION, household_id=household.pk,
                                 text="收入算错了，工资单里含一次性补发", name="蒋建华", phone="13905100001",
                                 actor=people["entrant"])  # fmt: skip


def test_an_upheld_appeal_of_a_rejection_reopens_the_first_review_and_shows_on_the_history(tree, people):
    # Given a file rejected at 初审 and the worker's appeal, taken up by centre staff
    household = rejected_at_first_review(tree, people)
    ticket = appeal(household, people)
    tickets.ticket_assign(actor=people["centre"], ticket_id=ticket.pk, assignee=people["colleague"])

    # When the assigned staff member upholds it
    tickets.ticket_close(
        actor=people["colleague"], ticket_id=ticket.pk, upheld=True, outcome="补发工资不计入，重新初审"
    )

    # Then the file is back at 初审, the appeal is closed as upheld and the file's history says both
    household.refresh_from_db()
    assert household.status == Status.FIRST_REVIEW
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.UPHELD
    assert household.opinions.filter(decision=Opinion.Decision.APPEAL, step=Step.FIRST).exists()
    verbs = [entry.verb for entry in file_history(household=household)]
    assert {"ticket.submit", "ticket.upheld", "review.appeal_first"} <= set(verbs)


def test_an_appeal_of_a_second_review_rejection_goes_back_to_the_second_review(tree, people):
    household = rejected_at_first_review(tree, people)
    Opinion.objects.filter(household=household, decision="reject").update(step=Step.SECOND)
    ticket = appeal(household, people)
    tickets.ticket_reply(actor=people["centre"], ticket_id=ticket.pk, text="已收到，正在核实")

    tickets.ticket_close(actor=people["centre"], ticket_id=ticket.pk, upheld=True, outcome="复审意见有误")

    assert Household.objects.get(pk=household.pk).status == Status.SECOND_REVIEW


def test_a_dismissed_appeal_leaves_the_file_rejected_and_the_submitter_reads_the_reason(tree, people, client):
    household = rejected_at_first_review(tree, people)
    ticket = appeal(household, people)
    tickets.ticket_reply(actor=people["centre"], ticket_id=ticket.pk, text="已受理")

    tickets.ticket_close(actor=people["centre"], ticket_id=ticket.pk, upheld=False, outcome="经核实收入确实超标")

    assert Household.objects.get(pk=household.pk).status == Status.REJECTED
    page = client.get(reverse("cases:ticket_public", args=[ticket.code])).content.decode()
    assert "经核实收入确实超标" in page and "已受理" in page


def test_an_appeal_after_the_window_is_refused(tree, people):
    household = rejected_at_first_review(tree, people)
    Opinion.objects.filter(household=household, decision="reject").update(
        created_at=timezone.now() - timedelta(days=31)
    )

    with pytest.raises(ActionRefused, match="申诉期限"):
        appeal(household, people)


def test_the_review_chain_refuses_to_reopen_a_rejection_without_an_appeal(tree, people):
    household = rejected_at_first_review(tree, people)

    with pytest.raises(ActionRefused, match="没有待办理"):
        review.household_appeal_reopen(actor=people["centre"], household_id=household.pk, text="重新审")


@override_settings(PUBLIC_TICKETS_PER_IP_PER_HOUR=2)
def test_anonymous_tip_offs_are_limited_per_address(tree, people):
    household = rejected_at_first_review(tree, people)
    Household.objects.filter(pk=household.pk).update(status=Status.PUBLIC_NOTICE)

    def tip_off(ip):
        return tickets.ticket_submit(kind=TicketKind.TIP_OFF, household_id=household.pk, text="他家有两套房",
                                     anonymous=True, ip=ip)  # fmt: skip

    tip_off("10.0.0.5")
    tip_off("10.0.0.5")
    with pytest.raises(ActionRefused, match="过于频繁") as refused:
        tip_off("10.0.0.5")

    assert refused.value.code == "rate_limited"
    assert tip_off("10.0.0.6").anonymous  # another address is not held back
    assert not Ticket.objects.filter(kind=TicketKind.TIP_OFF).exclude(submitter_name="").exists()


def test_a_tip_off_names_a_case_in_public_notice(tree, people):
    household = rejected_at_first_review(tree, people)

    with pytest.raises(ActionRefused, match="正在公示"):
        tickets.ticket_submit(
            kind=TicketKind.TIP_OFF, household_id=household.pk, text="x", anonymous=True, ip="1.2.3.4"
        )


def test_the_due_date_skips_weekends_and_holidays(tree, people, monkeypatch):
    # Given 国庆 2026: 10-01 … 10-07 off, and the ticket arriving on Wednesday 30 September
    for day in range(1, 8):
        CalendarDay.objects.update_or_create(day=date(2026, 10, day), defaults={"kind": "holiday", "name": "国庆节"})
    CalendarDay.objects.update_or_create(day=date(2026, 10, 10), defaults={"kind": "workday", "name": "国庆节"})
    monkeypatch.setattr(timezone, "localdate", lambda *a: date(2026, 9, 30))

    # Then a tip-off (5 working days) counts 10-08, 10-09, 10-10 (调休 Saturday), 10-12 and is due on 10-13
    assert due_date(TicketKind.TIP_OFF) == date(2026, 10, 13)


def test_a_complaint_names_its_union_and_reaches_the_centre_queue_not_the_sibling(tree, people, client):
    ticket = tickets.ticket_submit(kind=TicketKind.COMPLAINT, union=tree["huishan"], text="窗口态度差",
                                   name="王女士", phone="13900001111", ip="10.1.1.1")  # fmt: skip

    client.force_login(people["centre"])
    assert ticket.code in client.get(reverse("cases:ticket_queue")).content.decode()
    client.force_login(people["sibling_centre"])
    assert ticket.code not in client.get(reverse("cases:ticket_queue")).content.decode()
    assert client.get(reverse("cases:ticket_detail", args=[ticket.pk])).status_code == 404


def test_discipline_observers_read_every_ticket_and_can_do_nothing(tree, people, client):
    household = rejected_at_first_review(tree, people)
    ticket = appeal(household, people)

    client.force_login(people["observer"])
    page = client.get(reverse("cases:ticket_detail", args=[ticket.pk])).content.decode()

    assert "收入算错了" in page and "data-action" not in page
    with pytest.raises(ActionRefused):
        tickets.ticket_reply(actor=people["observer"], ticket_id=ticket.pk, text="看看")


def test_a_public_objection_is_kept_as_a_ticket(tree, people):
    household = rejected_at_first_review(tree, people)
    Household.objects.filter(pk=household.pk).update(status=Status.PUBLIC_NOTICE,
                                                     notice_end=timezone.localdate() + timedelta(days=3))  # fmt: skip

    review.notice_objection(actor=people["centre"], household_id=household.pk, text="邻居反映有经营收入")

    ticket = Ticket.objects.get(household=household)
    assert (ticket.kind, ticket.status, ticket.text) == (
        TicketKind.OBJECTION,
        TicketStatus.UPHELD,
        "邻居反映有经营收入",
    )


def test_a_worker_appeals_on_the_family_channel_and_reads_the_answer(tree, people, client):
    # Given a worker signed in on the family channel, their file rejected at 初审
    from family.auth import SESSION_KEY
    from family.models import WorkerAccount

    household = rejected_at_first_review(tree, people)
    worker = WorkerAccount.objects.create(phone="13905100001", name="蒋建华", household=household)
    session = client.session
    session[SESSION_KEY] = worker.pk
    session.save()

    # When they appeal and the centre answers it
    response = client.post(reverse("family:ticket_new"), {"kind": "appeal", "subject": "rejection",
                                                          "text": "工资单含一次性补发"})  # fmt: skip
    ticket = Ticket.objects.get(household=household)
    assert response.status_code == 302 and ticket.recorded_by is None and ticket.ip_address is None
    tickets.ticket_reply(actor=people["centre"], ticket_id=ticket.pk, text="内部：核对工资单", public=False)
    tickets.ticket_close(actor=people["centre"], ticket_id=ticket.pk, upheld=True, outcome="补发不计入，重新初审")

    # Then they read the answer (not the staff's note) and their file is back at 初审
    page = client.get(reverse("family:ticket_detail", args=[ticket.pk])).content.decode()
    assert "补发不计入，重新初审" in page and "内部：核对工资单" not in page
    assert Household.objects.get(pk=household.pk).status == Status.FIRST_REVIEW


def test_a_worker_cannot_read_another_households_ticket(tree, people, client):
    from family.auth import SESSION_KEY
    from family.models import WorkerAccount

    household = rejected_at_first_review(tree, people)
    ticket = appeal(household, people)
    other = household_create(actor=people["entrant"], union=tree["company"], data=household_data(phone="13905100002"),
                             members=[person(name="李四")])  # fmt: skip
    worker = WorkerAccount.objects.create(phone="13905100002", name="李四", household=other)
    session = client.session
    session[SESSION_KEY] = worker.pk
    session.save()

    assert client.get(reverse("family:ticket_detail", args=[ticket.pk])).status_code == 404


# 「我的工作」: the tickets waiting on a handler.


_ADDRESSES = itertools.count(1)  # one each: the public form takes a few an hour per address


def _complaint(tree, text, *, due=None, union="huishan"):
    ticket = tickets.ticket_submit(kind=TicketKind.COMPLAINT, union=tree[union], text=text, name="王女士",
                                   phone="13900001111", ip=f"10.1.2.{next(_ADDRESSES)}")  # fmt: skip
    if due is not None:
        Ticket.objects.filter(pk=ticket.pk).update(due_on=due)
    return Ticket.objects.get(pk=ticket.pk)


@dataclass
class Row:
    text: str  # the row's words, tags stripped
    overdue: bool


def _my_tickets_card(client, user) -> list[Row] | None:
    """The rows of 「我的工作」's ticket card as a user reads them (None: no card); an empty card is []."""
    client.force_login(user)
    page = client.get(reverse("my_work")).content.decode()
    card = re.search(r'<section[^>]*data-testid="my-tickets".*?</section>', page, re.S)
    if card is None:
        return None
    if 'data-testid="work-list-empty"' in card.group():
        assert "没有待您办理的工单。" in card.group()
        return []
    return [
        Row(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).strip(), 'data-overdue="true"' in attrs)
        for attrs, body in re.findall(r'<li([^>]*data-testid="work-row"[^>]*)>(.*?)</li>', card.group(), re.S)
    ]


def test_my_work_lists_the_handlers_open_tickets_by_due_date_with_the_overdue_marked(tree, people, client):
    today = timezone.localdate()
    later = _complaint(tree, "态度差", due=today + timedelta(days=9))
    overdue = _complaint(tree, "拖延办理", due=today - timedelta(days=2))
    soon = _complaint(tree, "电话打不通", due=today + timedelta(days=1))
    colleagues = _complaint(tree, "同事承办的", due=today)
    tickets.ticket_assign(actor=people["centre"], ticket_id=colleagues.pk, assignee=people["colleague"])
    closed = _complaint(tree, "已办结的", due=today - timedelta(days=5))
    tickets.ticket_reply(actor=people["centre"], ticket_id=closed.pk, text="已核实")
    tickets.ticket_close(actor=people["centre"], ticket_id=closed.pk, upheld=False, outcome="不成立")
    _complaint(tree, "滨湖的", due=today - timedelta(days=1), union="binhu")

    rows = _my_tickets_card(client, people["centre"])

    binhu = Ticket.objects.get(text="滨湖的")
    # the city's centre handles 滨湖 too; the colleague's and the closed one are not waiting on this user
    expected = [overdue, binhu, soon, later]
    assert [row.text.split()[1] for row in rows] == [t.code for t in expected]
    assert [row.overdue for row in rows] == [True, True, False, False]
    assert "已超期" in rows[0].text and "已超期" not in rows[2].text
    assert (today - timedelta(days=2)).isoformat() in rows[0].text


def test_a_ticket_assigned_to_the_user_is_on_their_card(tree, people, client):
    ticket = _complaint(tree, "态度差")
    tickets.ticket_assign(actor=people["centre"], ticket_id=ticket.pk, assignee=people["colleague"])

    rows = _my_tickets_card(client, people["colleague"])

    assert [row.text.split()[1] for row in rows] == [ticket.code] and "未分派" not in rows[0].text
    assert _my_tickets_card(client, people["centre"]) == []


def test_with_no_ticket_waiting_the_card_says_so(tree, people, client):
    assert _my_tickets_card(client, people["sibling_centre"]) == []


def test_only_the_roles_the_ticket_machine_names_get_the_card(tree, people, client):
    from cases.tickets.workflow import ticket_workflow  # noqa: PLC0415

    _complaint(tree, "态度差")
    shown = {}
    for role in Role.values:
        user = user_with_role(role, tree["city"])
        shown[role] = _my_tickets_card(client, user) is not None

    assert {role for role, has_card in shown.items() if has_card} == set(ticket_workflow.roles)
    assert shown[Role.DISCIPLINE_OBSERVER] is False  # reads every ticket, handles none
