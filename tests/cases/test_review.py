"""The review chain: every allowed transition, every forbidden one, separation of duties, dates."""

import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.models import HardshipStandard, Household, MonthlyIncome, Opinion, Status, Step
from cases.review import selectors as review_selectors
from cases.review import services as svc
from cases.review.workflow import review_workflow
from cases.services import household_create
from hardship.dates import working_day_span
from hardship.models import AuditEvent, Notification, Role
from hardship.workflow import ActionRefused
from tests.factories import SocialOrganisationFactory, user_with_role

from .conftest import WUXI, household_data, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(tree, standard, grassroots):
    org = SocialOrganisationFactory(name="益家社工", contracted_by=tree["city"])
    other_org = SocialOrganisationFactory(name="别家社工", contracted_by=tree["city"])
    return {
        "submitter": grassroots,
        "first": user_with_role(Role.GRASSROOTS_STAFF, tree["company"], full_name="初审人"),
        "caseworker": user_with_role(Role.CASEWORKER, tree["yanqiao"], full_name="走访员"),
        "centre": user_with_role(Role.CENTRE_STAFF, tree["city"], full_name="中心"),
        "reviewer": user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org, full_name="复审人"),
        "other_reviewer": user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=other_org),
        "observer": user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"], full_name="纪检"),
        "org": org,
        "other_org": other_org,
    }


@pytest.fixture
def case(tree, cast):
    return household_create(actor=cast["submitter"], union=tree["company"], data=household_data(),
                            members=[person()])  # fmt: skip


def _visit(actor, case, step, **extra):
    visit = svc.VisitInput(visited_on=timezone.localdate(), living_conditions="两室一厅，家具简陋",
                           findings="情况属实", address_confirmed=True, **extra)  # fmt: skip
    return svc.visit_record(actor=actor, household_id=case.pk, step=step, visit=visit)


def _through_first_review(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)
    return svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="同意")


def _through_second_review(case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    _visit(cast["reviewer"], case, Step.SECOND, observer=cast["observer"])
    return svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="属实")


def _end_notice(case):
    Household.objects.filter(pk=case.pk).update(notice_end=timezone.localdate() - timedelta(days=1))


def _through_filing(case, cast):
    _through_second_review(case, cast)
    _end_notice(case)
    return svc.household_file(actor=cast["centre"], household_id=case.pk)


def test_the_whole_chain_from_draft_to_filed(case, cast):
    assert case.status == Status.DRAFT

    assert svc.household_submit(actor=cast["submitter"], household_id=case.pk).status == Status.SUBMITTED
    _visit(cast["caseworker"], case, Step.FIRST)
    case.refresh_from_db()
    assert case.status == Status.FIRST_REVIEW
    assert svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve",
                                   text="").status == Status.SECOND_REVIEW  # fmt: skip
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    _visit(cast["reviewer"], case, Step.SECOND, observer=cast["observer"])
    noticed = svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="")
    assert noticed.status == Status.PUBLIC_NOTICE and noticed.notice_start and noticed.notice_end
    _end_notice(case)
    filed = svc.household_file(actor=cast["centre"], household_id=case.pk)

    assert filed.status == Status.FILED
    assert filed.file_number.endswith(f"{case.pk:07d}")
    assert filed.next_review_due == date(filed.filed_at.year + 1, filed.filed_at.month, filed.filed_at.day)
    verbs = list(AuditEvent.objects.filter(target_id=str(case.pk), verb__startswith="review.")
                 .values_list("verb", flat=True).order_by("id"))  # fmt: skip
    assert verbs == ["review.submit", "review.first_visit", "review.first_approve", "review.assign",
                     "review.second_visit", "review.second_approve", "review.file"]  # fmt: skip


# Every forbidden (action, status) pair is refused by the service, with the status named.

ACTION_CALLS = {
    "submit": lambda c, cast: svc.household_submit(actor=cast["submitter"], household_id=c.pk),
    "first_approve": lambda c, cast: svc.first_review_decide(actor=cast["first"], household_id=c.pk,
                                                             decision="approve", text=""),
    "first_reject": lambda c, cast: svc.first_review_decide(actor=cast["first"], household_id=c.pk,
                                                            decision="reject", text="不符合"),
    "assign": lambda c, cast: svc.second_review_assign(actor=cast["centre"], household_id=c.pk,
                                                       organisation=cast["org"]),
    "second_approve": lambda c, cast: svc.second_review_decide(actor=cast["reviewer"], household_id=c.pk,
                                                               decision="approve", text=""),
    "objection": lambda c, cast: svc.notice_objection(actor=cast["centre"], household_id=c.pk, text="有异议"),
    "file": lambda c, cast: svc.household_file(actor=cast["centre"], household_id=c.pk),
    "exit": lambda c, cast: svc.household_exit(actor=cast["centre"], household_id=c.pk, kind="relieved",
                                               reason="大病获医保兜底"),
    "reopen": lambda c, cast: svc.household_reopen(actor=cast["centre"], household_id=c.pk, text="再次致困"),
}  # fmt: skip


FORBIDDEN = [
    (a, s) for a in sorted(ACTION_CALLS) for s in Status.values if s not in review_workflow.transition(a).sources
]


@pytest.mark.parametrize(("action", "status"), FORBIDDEN)
def test_an_action_from_a_status_outside_the_map_is_refused(case, cast, action, status):
    # A closed file says when and why (a database constraint).
    closed = {"closed_at": timezone.localdate(), "close_reason": "duplicate"} if status == Status.CLOSED else {}
    Household.objects.filter(pk=case.pk).update(status=status, second_review_org=cast["org"], **closed)

    with pytest.raises(ActionRefused, match="当前状态为"):
        ACTION_CALLS[action](case, cast)

    case.refresh_from_db()
    assert case.status == status


def test_no_second_review_before_the_first_review(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)

    with pytest.raises(ActionRefused):
        svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="")


def test_no_filing_before_the_notice_has_ended(case, cast):
    _through_second_review(case, cast)

    with pytest.raises(ActionRefused, match="公示结束后才能建档"):
        svc.household_file(actor=cast["centre"], household_id=case.pk)
    assert Household.objects.get(pk=case.pk).status == Status.PUBLIC_NOTICE


def test_the_first_review_cannot_be_completed_without_its_visit(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    Household.objects.filter(pk=case.pk).update(status=Status.FIRST_REVIEW)

    with pytest.raises(ActionRefused, match="必须先记录本环节的入户走访"):
        svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="")


def test_the_second_review_needs_its_own_visit_not_the_first_ones(case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])

    with pytest.raises(ActionRefused, match="入户走访"):
        svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="")


def test_a_return_needs_a_reason_and_goes_back_to_the_submitter(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)

    with pytest.raises(ActionRefused, match="原因"):
        svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="return", text=" ")
    returned = svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="return",
                                       text="缺少收入证明")  # fmt: skip

    assert returned.status == Status.RETURNED
    assert Notification.objects.filter(user=cast["submitter"], text__contains="初审退回").exists()
    assert svc.household_submit(actor=cast["submitter"], household_id=case.pk).status == Status.SUBMITTED


def test_a_rejection_frees_the_members_for_another_file(case, cast, tree):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)

    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="reject", text="收入超标")

    assert not case.members.filter(is_live=True).exists()
    head = case.members.get()
    household_create(actor=cast["submitter"], union=tree["company"], data=household_data(),
                     members=[person(id_number=head.id_number)])  # fmt: skip


# Separation of duties.


def test_the_submitter_cannot_do_the_first_review(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)

    with pytest.raises(PermissionDenied, match="提交人"):
        svc.first_review_decide(actor=cast["submitter"], household_id=case.pk, decision="approve", text="")


def test_the_submitter_cannot_log_the_first_review_visit(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)

    with pytest.raises(PermissionDenied, match="提交人"):
        _visit(cast["submitter"], case, Step.FIRST)


def test_the_first_reviewer_cannot_do_the_second_review(case, cast, tree):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)
    from hardship.services import role_assign

    role_assign(actor=None, user=cast["first"], union=tree["city"], role=Role.THIRD_PARTY_REVIEWER,
                organisation=cast["org"])  # fmt: skip
    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="")
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])

    with pytest.raises(PermissionDenied, match="不能再做复审"):
        _visit(cast["first"], case, Step.SECOND)


def test_a_reviewer_acts_only_on_cases_assigned_to_their_organisation(case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])

    with pytest.raises(PermissionDenied, match="其他第三方机构"):
        _visit(cast["other_reviewer"], case, Step.SECOND)
    with pytest.raises(PermissionDenied, match="其他第三方机构"):
        svc.second_review_decide(actor=cast["other_reviewer"], household_id=case.pk, decision="reject", text="x")


def test_an_unassigned_case_cannot_be_second_reviewed(case, cast):
    _through_first_review(case, cast)

    with pytest.raises(ActionRefused, match="尚未派单"):
        svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="")


@pytest.mark.parametrize("action", sorted(ACTION_CALLS))
def test_a_discipline_observer_changes_nothing(case, cast, action):
    observer_cast = {**cast, "submitter": cast["observer"], "first": cast["observer"], "centre": cast["observer"],
                     "reviewer": cast["observer"]}  # fmt: skip
    Household.objects.filter(pk=case.pk).update(
        status=review_workflow.transition(action).sources[0], second_review_org=cast["org"]
    )

    with pytest.raises((PermissionDenied, ActionRefused)):
        ACTION_CALLS[action](case, observer_cast)

    assert not AuditEvent.objects.filter(verb__startswith="review.", actor=cast["observer"]).exists()


def test_an_observer_can_be_recorded_as_present_on_a_visit(case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])

    visit = _visit(cast["reviewer"], case, Step.SECOND, observer=cast["observer"])

    assert visit.observer == cast["observer"]


def test_only_an_observer_account_can_be_recorded_as_the_observer(case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])

    with pytest.raises(ActionRefused, match="纪检监督员账号"):
        _visit(cast["reviewer"], case, Step.SECOND, observer=cast["caseworker"])


def test_staff_of_a_sibling_district_cannot_act(case, cast, tree):
    binhu_centre = user_with_role(Role.CENTRE_STAFF, tree["binhu"])
    _through_first_review(case, cast)

    with pytest.raises(PermissionDenied):
        svc.second_review_assign(actor=binhu_centre, household_id=case.pk, organisation=cast["org"])


# 公示.


def test_the_notice_lasts_five_working_days_across_a_weekend():
    # Thursday 2026-11-19: Thu, Fri, Mon, Tue, Wed.
    assert working_day_span(date(2026, 11, 19), 5) == (date(2026, 11, 19), date(2026, 11, 25))


def test_a_notice_starting_on_a_saturday_starts_on_monday():
    assert working_day_span(date(2026, 11, 21), 5) == (date(2026, 11, 23), date(2026, 11, 27))


def test_the_notice_length_is_configurable(case, cast, settings):
    settings.PUBLIC_NOTICE_WORKING_DAYS = 7

    noticed = _through_second_review(case, cast)

    assert noticed.notice_end == working_day_span(timezone.localdate(), 7)[1]


def test_an_objection_during_the_notice_sends_the_case_back_to_the_same_reviewer(case, cast):
    _through_second_review(case, cast)

    back = svc.notice_objection(actor=cast["centre"], household_id=case.pk, text="邻居反映家中有两套住房")

    assert back.status == Status.SECOND_REVIEW and back.second_review_org == cast["org"]
    assert Opinion.objects.filter(household=case, decision=Opinion.Decision.OBJECTION).exists()
    assert Notification.objects.filter(user=cast["reviewer"], text__contains="异议").exists()
    _visit(cast["reviewer"], case, Step.SECOND)
    assert svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="reject",
                                    text="核实有两套住房").status == Status.REJECTED  # fmt: skip


# Dynamic management.


def _months(case, actor, values, start=date(2026, 4, 1)):
    from hardship.dates import add_months

    for index, value in enumerate(values):
        MonthlyIncome.objects.create(household=case, month=add_months(start, index),
                                     per_capita_income=Decimal(value), recorded_by=actor)  # fmt: skip


def test_out_of_hardship_after_six_consecutive_months_above_dibao(case, cast):
    _through_filing(case, cast)
    _months(case, cast["caseworker"], ["1300"] * 6)

    exited = svc.household_exit(actor=cast["centre"], household_id=case.pk, kind="out_of_hardship")

    assert exited.status == Status.EXITED and exited.exit_kind == "out_of_hardship"
    assert review_selectors.follow_ups_due(exited) == [
        svc.add_months(exited.exited_at, 3),
        svc.add_months(exited.exited_at, 12),
    ]


@pytest.mark.parametrize(
    ("values", "why"),
    [
        (["1300"] * 5, "只记录了 5 个月"),
        (["1300", "1300", "1230", "1300", "1300", "1300"], "未高于当月低保"),  # equal to 低保 is not above
    ],
)
def test_no_out_of_hardship_without_six_months_above_dibao(case, cast, values, why):
    _through_filing(case, cast)
    _months(case, cast["caseworker"], values)

    with pytest.raises(ActionRefused, match=why):
        svc.household_exit(actor=cast["centre"], household_id=case.pk, kind="out_of_hardship")


def test_a_gap_in_the_months_breaks_the_run(case, cast):
    _through_filing(case, cast)
    _months(case, cast["caseworker"], ["1300"] * 3, start=date(2026, 1, 1))
    _months(case, cast["caseworker"], ["1300"] * 3, start=date(2026, 5, 1))

    assert "不连续" in review_selectors.exit_eligibility(household=case).explanation


def test_the_dibao_of_each_month_is_the_one_in_force_then(case, cast, tree):
    _through_filing(case, cast)
    HardshipStandard.objects.create(union=tree["city"], **{**WUXI, "effective_from": date(2026, 7, 1),
                                                           "dibao_monthly": Decimal("1350")})  # fmt: skip
    _months(case, cast["caseworker"], ["1300"] * 6)  # April–September: above 1230, not above 1350 from July

    assert not review_selectors.exit_eligibility(household=case).eligible


def test_relieved_needs_a_reason(case, cast):
    _through_filing(case, cast)

    with pytest.raises(ActionRefused, match="解困原因"):
        svc.household_exit(actor=cast["centre"], household_id=case.pk, kind="relieved", reason="")


def test_reopening_keeps_the_same_file_and_its_history(case, cast):
    _through_filing(case, cast)
    number = Household.objects.get(pk=case.pk).file_number
    svc.household_exit(actor=cast["centre"], household_id=case.pk, kind="relieved", reason="低保兜底")

    reopened = svc.household_reopen(actor=cast["submitter"], household_id=case.pk, text="再次患病")

    assert reopened.pk == case.pk and reopened.status == Status.REOPENED
    assert Household.objects.count() == 1
    assert reopened.file_number == number
    assert reopened.opinions.filter(decision=Opinion.Decision.EXIT).exists()
    assert svc.household_submit(actor=cast["submitter"], household_id=case.pk).status == Status.SUBMITTED


def test_the_yearly_review_needs_its_visit_and_moves_the_due_date(case, cast):
    _through_filing(case, cast)
    with pytest.raises(ActionRefused, match="入户走访"):
        svc.yearly_review_continue(actor=cast["centre"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.YEARLY)

    reviewed = svc.yearly_review_continue(actor=cast["centre"], household_id=case.pk, text="仍困难")

    assert reviewed.next_review_due == svc.add_months(timezone.localdate(), 12)


def test_cases_due_for_yearly_review_are_in_the_queue(client, case, cast):
    from cases.review.selectors import review_queue

    _through_filing(case, cast)
    Household.objects.filter(pk=case.pk).update(next_review_due=timezone.localdate() + timedelta(days=10))

    assert list(review_queue(user=cast["caseworker"], queue="yearly")) == [Household.objects.get(pk=case.pk)]


# Queues, notifications, pages.


def test_the_case_lands_in_each_queue_in_turn_and_people_are_notified(case, cast):
    from cases.review.selectors import review_queue

    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    assert case in review_queue(user=cast["first"], queue="first")
    assert case not in review_queue(user=cast["submitter"], queue="first")
    _visit(cast["caseworker"], case, Step.FIRST)
    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="")
    assert case in review_queue(user=cast["centre"], queue="assign")
    assert Notification.objects.filter(user=cast["centre"], read_at__isnull=True).exists()
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"],
                             due=timezone.localdate())  # fmt: skip
    assert case in review_queue(user=cast["reviewer"], queue="second")
    assert case not in review_queue(user=cast["other_reviewer"], queue="second")


def test_overdue_second_reviews_stand_out_on_the_queue_page(client, case, cast):
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"],
                             due=timezone.localdate())  # fmt: skip
    Household.objects.filter(pk=case.pk).update(second_review_due=timezone.localdate() - timedelta(days=2))
    client.force_login(cast["reviewer"])

    body = client.get(reverse("cases:review_queue"), {"queue": "second"}).content.decode()

    assert "已逾期" in body and "table-danger" in body


def test_the_bell_shows_the_unread_count(client, case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    client.force_login(cast["first"])

    body = client.get(reverse("my_work")).content.decode()

    assert 'data-testid="unread-count">1<' in body


def test_the_notice_page_masks_the_name_and_shows_the_dates(client, case, cast):
    noticed = _through_second_review(case, cast)
    client.force_login(cast["observer"])

    body = client.get(reverse("cases:notice_list")).content.decode()

    assert "蒋*华" in body and "蒋建华" not in body
    assert noticed.notice_end.strftime("%Y-%m-%d") in body
    assert case.head_id_number[:6] not in body


def test_the_detail_page_offers_only_the_actions_the_user_may_take(client, case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)
    url = reverse("cases:household_detail", args=[case.pk])

    client.force_login(cast["first"])
    first_view = client.get(url).context["review_panel"].buttons
    client.force_login(cast["submitter"])
    submitter_view = client.get(url).context["review_panel"].buttons
    client.force_login(cast["observer"])
    observer_view = client.get(url).context["review_panel"].buttons

    assert [button.name for button in first_view] == ["first_review"]
    assert submitter_view == [] and observer_view == []


def test_a_refused_action_on_the_page_shows_a_clear_message(client, case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    _visit(cast["caseworker"], case, Step.FIRST)
    client.force_login(cast["submitter"])

    response = client.post(reverse("cases:review_action", args=[case.pk, "first_review"]),
                           {"decision": "approve", "text": ""}, follow=True)  # fmt: skip

    assert "提交人" in response.content.decode()
    assert Household.objects.get(pk=case.pk).status == Status.FIRST_REVIEW


def test_the_visit_form_saves_a_visit_with_a_photo(client, case, cast, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    client.force_login(cast["caseworker"])
    head = case.members.get()

    response = client.post(reverse("cases:visit_create", args=[case.pk, "first"]), {
        "visited_on": timezone.localdate().isoformat(), "address_confirmed": "on", "living_conditions": "老旧平房",
        "findings": "收入属实", f"income_{head.pk}": "1500",
        "photos": SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg"),
    })  # fmt: skip

    assert response.status_code == 302
    visit = case.visits.get()
    assert visit.verified_incomes == {str(head.pk): "1500.00"} and visit.photos.count() == 1
    assert Household.objects.get(pk=case.pk).status == Status.FIRST_REVIEW
    # The file lists the visit with its photo counted.
    page = client.get(reverse("cases:household_detail", args=[case.pk])).content.decode()
    assert "老旧平房" in page and "1 张照片" in page


@pytest.mark.postgres
def test_two_reviewers_approving_at_the_same_moment_one_wins(transactional_db, tree, standard, grassroots):
    """Row lock: exactly one approval goes through; the other is told the case moved on."""
    org = SocialOrganisationFactory(contracted_by=tree["city"])
    cast = {
        "submitter": grassroots,
        "first": user_with_role(Role.GRASSROOTS_STAFF, tree["company"]),
        "caseworker": user_with_role(Role.CASEWORKER, tree["yanqiao"]),
        "centre": user_with_role(Role.CENTRE_STAFF, tree["city"]),
        "reviewer": user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org),
        "org": org,
    }
    second = user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=org)
    case = household_create(actor=grassroots, union=tree["company"], data=household_data(), members=[person()])
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=org)
    _visit(cast["reviewer"], case, Step.SECOND)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(actor):
        try:
            barrier.wait(timeout=10)
            svc.second_review_decide(actor=actor, household_id=case.pk, decision="approve", text="")
            outcomes.append("ok")
        except ActionRefused as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (cast["reviewer"], second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes.count("ok") == 1
    assert any("公示中" in o and "已由他人处理" in o for o in outcomes)
    assert Opinion.objects.filter(household=case, decision="approve", step="second").count() == 1


def test_the_date_fields_of_visit_and_assignment_show_their_default(client, case, cast, settings):
    """<input type="date"> shows only an ISO value: the zh-hans 2026/11/23 left today's date and the due date blank."""
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    client.force_login(cast["caseworker"])

    visit_page = client.get(reverse("cases:visit_create", args=[case.pk, "first"])).content.decode()

    assert f'name="visited_on" value="{timezone.localdate():%Y-%m-%d}"' in visit_page

    _visit(cast["caseworker"], case, Step.FIRST)
    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="")
    client.force_login(cast["centre"])

    assign_page = client.get(reverse("cases:review_action", args=[case.pk, "assign"])).content.decode()

    due = timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
    assert f'name="due" value="{due:%Y-%m-%d}"' in assign_page


def test_the_visit_form_offers_no_one_who_may_not_take_part_in_that_review(client, tree, case, cast):
    """The submitter is not offered as a co-visitor; the 复审 visit offers only the assigned organisation's staff."""
    colleague = user_with_role(Role.THIRD_PARTY_REVIEWER, tree["city"], organisation=cast["org"], full_name="同事")
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    client.force_login(cast["caseworker"])

    first = client.get(reverse("cases:visit_create", args=[case.pk, "first"])).context["form"]

    assert cast["first"] in first.fields["visitors"].queryset
    assert cast["submitter"] not in first.fields["visitors"].queryset

    _visit(cast["caseworker"], case, Step.FIRST)
    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="")
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    client.force_login(cast["reviewer"])

    second = client.get(reverse("cases:visit_create", args=[case.pk, "second"])).context["form"]

    assert list(second.fields["visitors"].queryset) == [colleague]


# The page offers what the service accepts (issue 18: the rules were written twice and disagreed).


def test_a_reviewer_who_submitted_the_application_is_offered_no_second_review(client, tree, case, cast):
    """The page used to offer 复审 to a reviewer who took part in the application; the service refused it."""
    from hardship.models import RoleAssignment

    RoleAssignment.objects.create(user=cast["submitter"], union=tree["city"], role=Role.THIRD_PARTY_REVIEWER,
                                  organisation=cast["org"])  # fmt: skip
    submitter = type(cast["submitter"]).objects.get(pk=cast["submitter"].pk)  # with the new role
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    client.force_login(submitter)

    panel = client.get(reverse("cases:household_detail", args=[case.pk])).context["review_panel"]
    queue = client.get(reverse("cases:review_queue"), {"queue": "second"}).content.decode()

    assert [b.name for b in panel.buttons] == [] and Step.SECOND not in panel.visit_steps
    assert case.head_name not in queue
    with pytest.raises(ActionRefused, match="参与了本案的申请或初审"):
        svc.second_review_decide(actor=submitter, household_id=case.pk, decision="return", text="补材料")


def test_the_first_reviewer_is_not_offered_the_second_review_visit(tree, case, cast):
    from hardship.models import RoleAssignment

    RoleAssignment.objects.create(user=cast["first"], union=tree["city"], role=Role.THIRD_PARTY_REVIEWER,
                                  organisation=cast["org"])  # fmt: skip
    _through_first_review(case, cast)
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    first = type(cast["first"]).objects.get(pk=cast["first"].pk)

    panel = review_selectors.review_panel(user=first, household=Household.objects.get(pk=case.pk))

    assert panel.visit_steps == []
    with pytest.raises(ActionRefused, match="不能再做复审"):
        _visit(first, case, Step.SECOND)


def test_an_objection_after_the_notice_ended_is_greyed_out_with_the_reason(client, case, cast):
    _through_second_review(case, cast)
    _end_notice(case)
    client.force_login(cast["centre"])

    panel = client.get(reverse("cases:household_detail", args=[case.pk])).context["review_panel"]

    objection = next(b for b in panel.buttons if b.name == "objection")
    assert not objection.allowed and "不能再登记异议" in objection.reason
    assert next(b for b in panel.buttons if b.name == "file").allowed


def test_the_yearly_review_without_its_visit_is_greyed_out_with_the_reason(client, case, cast):
    _through_filing(case, cast)
    client.force_login(cast["centre"])

    body = client.get(reverse("cases:household_detail", args=[case.pk])).content.decode()

    assert 'data-testid="yearly_continue-waiting"' in body and "必须先记录本环节的入户走访" in body


def test_the_decision_page_greys_out_approval_until_the_visit_is_recorded(client, case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    client.force_login(cast["first"])

    form = client.get(reverse("cases:review_action", args=[case.pk, "first_review"])).context["form"]

    # 已提交: only a return is possible before the visit opens the 初审.
    assert [value for value, _label in form.fields["decision"].widget.choices] == ["return"]
    _visit(cast["caseworker"], case, Step.FIRST)

    form = client.get(reverse("cases:review_action", args=[case.pk, "first_review"])).context["form"]

    assert [value for value, _label in form.fields["decision"].widget.choices] == ["approve", "return", "reject"]
    assert form.fields["decision"].widget.disabled_values == set()
    Household.objects.filter(pk=case.pk).update(submitted_at=timezone.now() + timedelta(minutes=1))  # visit is old

    form = client.get(reverse("cases:review_action", args=[case.pk, "first_review"])).context["form"]

    assert form.fields["decision"].widget.disabled_values == {"approve", "reject"}
    assert [str(label) for label, _reason in form.refusals] == ["通过", "不予受理"]


def test_a_visit_with_someone_the_form_would_not_offer_is_refused(case, cast):
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)

    with pytest.raises(ActionRefused, match="不能参与本环节的走访"):
        _visit(cast["caseworker"], case, Step.FIRST, visitors=(cast["submitter"],))
    assert not case.visits.exists()


def test_a_rich_files_page_takes_at_most_ten_queries(client, tree, cast, django_assert_max_num_queries):
    # Members, two visits (with their photos and visitors), opinions, attachments, help, 互助保障 and
    # their history: session, user with roles, the file, members, attachments, visits, opinions,
    # help, cover, history. A filed file adds its monthly incomes (one more).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services import attachment_add
    from cases.support import services as support
    from cases.support.models import MutualCoverPlan

    members = [person(), person("spouse", "李秀英", date(1980, 6, 1))]
    members += [person("child", f"孩子{i}", date(2010, 1, 1 + i), "student") for i in range(6)]
    case = household_create(actor=cast["submitter"], union=tree["company"], data=household_data(), members=members)
    svc.household_submit(actor=cast["submitter"], household_id=case.pk)
    photo = SimpleUploadedFile("p.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
    _visit(cast["caseworker"], case, Step.FIRST, photos=(photo,))
    svc.first_review_decide(actor=cast["first"], household_id=case.pk, decision="approve", text="同意")
    svc.second_review_assign(actor=cast["centre"], household_id=case.pk, organisation=cast["org"])
    _visit(cast["reviewer"], case, Step.SECOND, observer=cast["observer"])
    svc.second_review_decide(actor=cast["reviewer"], household_id=case.pk, decision="approve", text="属实")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for name in ("证明.pdf", "诊断.pdf"):
        upload = SimpleUploadedFile(name, pdf)
        attachment_add(actor=cast["submitter"], household=case, kind="income_proof", upload=upload)
    support.help_record(actor=cast["submitter"], household=case, kind="training", given_on=date(2026, 1, 20))
    plan = MutualCoverPlan.objects.create(name="在职职工住院医疗互助保障计划")
    support.mutual_cover_enrol(actor=cast["submitter"], household=case, members=list(case.members.all()[:2]),
                               plan=plan, year=timezone.localdate().year)  # fmt: skip
    client.force_login(cast["centre"])
    url = reverse("cases:household_detail", args=[case.pk])
    client.get(url)  # the session's first page pushes its expiry (then once a minute)

    with django_assert_max_num_queries(10):
        response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200 and len(response.context["members"]) == 8
    assert page.count('data-testid="visit"') == 2 and "1 张照片" in page and "走访员" in page and "复审人" in page
    assert len(response.context["opinions"]) >= 3 and len(response.context["attachments"]) == 2
    assert len(response.context["help_timeline"]) == 1 and len(response.context["mutual_cover"]) == 2
    assert response.context["history"]
