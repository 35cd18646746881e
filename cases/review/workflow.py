"""The review chain of a household file, declared once.

submit → 初审 (a visit, then approve / return / reject) → 派单 to a third party →
复审 (its own visit, then approve / return / reject) → 公示 (an objection sends it
back to 复审) → 建档; then the yearly review, the exit (脱困/解困) with its 回访,
and 返困. The page's buttons, the queues, 「我的工作」 and the services all read
this file (see hardship/workflow.py for the mechanism).

Who gives the 初审: the staff of the household's grassroots union or of any union
above it — a street or district union's 干事 (``GRASSROOTS_STAFF`` held there) or
帮扶中心 staff (``CENTRE_STAFF``) — as 联合工会 and street unions do for small
enterprise unions with one 干事; never the person who entered or submitted the
case (``not_the_entrant``). The 复审 stays with the assigned third party.

Visits are actions of the chain too (``first_visit`` …); ``VISIT_STEPS`` says
which action a visit of each step is and who may go along: ``visit_colleagues``
and ``visit_observers`` fill the visit form's lists and the service refuses anyone
else, from the same declaration.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.access import scope_unions
from hardship.models import Role, RoleAssignment, User
from hardship.workflow import Transition, Workflow, register, rule

from ..models import Household, Opinion, Source, Status, Step, Tier
from ..tickets.models import AppealSubject, TicketKind, TicketStatus

S = Status
GRASSROOTS, CASEWORKER, CENTRE = Role.GRASSROOTS_STAFF, Role.CASEWORKER, Role.CENTRE_STAFF
REVIEWER, OBSERVER = Role.THIRD_PARTY_REVIEWER, Role.DISCIPLINE_OBSERVER
# Not a staff role: the worker whose own file it is, signed in on the family channel (an actor with
# ``is_worker`` and ``household_id``, e.g. family.models.WorkerAccount). No staff user holds it.
APPLICANT = "applicant"

# A 年度复核 is concluded on a visit of the last 90 days.
YEARLY_VISIT_VALID_DAYS = 90


def reviewer_organisations(user) -> set[int]:
    """The third-party organisations the user reviews for."""
    cached = getattr(user, "_reviewer_organisations_cache", None)
    if cached is None:
        cached = user._reviewer_organisations_cache = set(
            RoleAssignment.objects.filter(user=user, role=REVIEWER).values_list("organisation_id", flat=True)
        )
    return cached


# Duties: who may take the action. A refusal hides it.


@rule(q=lambda user: ~Q(submitted_by=user) & ~Q(created_by=user))
def not_the_entrant(household: Household, user) -> str | None:
    """Separation of duties at 初审: whoever entered or submitted the application does not review it.

    A worker's online application (``source`` 网上申请) was entered and submitted by the worker:
    ``created_by`` and ``submitted_by`` stay empty, so no staff member is barred — the union's only
    干事 gives its 初审. Staff who later correct such a file do not become its entrant.
    """
    if household.source == Source.ONLINE and household.submitted_by_id is None:
        return None
    if household.submitted_by_id == user.pk:
        return _("您是本案的提交人，不能同时进行初审。")
    if household.created_by_id == user.pk:
        return _("您录入了本案，不能同时进行初审。")
    return None


def _my_organisations(user):
    return RoleAssignment.objects.filter(user=user, role=REVIEWER).values("organisation")


@rule(q=lambda user: Q(second_review_org__in=_my_organisations(user)))
def assigned_to_my_organisation(household: Household, user) -> str | None:
    if household.second_review_org_id is None:
        return _("本案尚未派单给第三方机构，不能复审。")
    if household.second_review_org_id not in reviewer_organisations(user):
        return _("本案已派给其他第三方机构，您不能处理。")
    return None


@rule(q=lambda user: ~Q(submitted_by=user) & ~Q(first_reviewer=user))
def took_no_part_before(household: Household, user) -> str | None:
    """Separation of duties: whoever submitted the application or did its 初审 does not do its 复审."""
    if user.pk in (household.submitted_by_id, household.first_reviewer_id):
        return _("您参与了本案的申请或初审，不能再做复审。")
    return None


# Guards: when it may be taken. A refusal greys the button out with the sentence.


def _visit_since(household: Household, step: str, since):
    prefetched = getattr(household, "_prefetched_objects_cache", {}).get("visits")
    if prefetched is not None:  # the file page has them all already: no query
        found = [v for v in prefetched if v.step == step and (since is None or v.recorded_at >= since)]
        return max(found, key=lambda v: (v.visited_on, v.id), default=None)
    visits = household.visits.filter(step=step)
    if since is not None:
        visits = visits.filter(recorded_at__gte=since)
    return visits.order_by("-visited_on", "-id").first()


def _visit_missing(step: str) -> str:
    return _("完成“%(s)s”前必须先记录本环节的入户走访。") % {"s": Step(step).label}


def _last_assignment(household: Household):
    prefetched = getattr(household, "_prefetched_objects_cache", {}).get("opinions")
    if prefetched is not None:
        return max((o for o in prefetched if o.decision == Opinion.Decision.ASSIGN), key=lambda o: o.id, default=None)
    return household.opinions.filter(decision=Opinion.Decision.ASSIGN).order_by("-id").first()


def step_visit(household: Household, step: str):
    """The visit that concludes this round of ``step``: since the submission, the assignment, or 90 days."""
    if step == Step.FIRST:
        since = household.submitted_at
    elif step == Step.SECOND:
        assigned = _last_assignment(household)
        since = assigned.created_at if assigned else None
    else:
        since = timezone.now() - timedelta(days=YEARLY_VISIT_VALID_DAYS)
    return _visit_since(household, step, since)


def first_visit_recorded(household: Household, user) -> str | None:
    return None if step_visit(household, Step.FIRST) else _visit_missing(Step.FIRST)


def second_visit_recorded(household: Household, user) -> str | None:
    return None if step_visit(household, Step.SECOND) else _visit_missing(Step.SECOND)


def yearly_visit_recorded(household: Household, user) -> str | None:
    return None if step_visit(household, Step.YEARLY) else _visit_missing(Step.YEARLY)


@rule(q=lambda user: Q(notice_end__lt=timezone.localdate()))
def notice_ended(household: Household, user) -> str | None:
    if household.notice_end is None or timezone.localdate() <= household.notice_end:
        return _("公示期至 %(d)s 结束，公示结束后才能建档。") % {"d": household.notice_end}
    return None


def applied_online(household: Household, user) -> str | None:
    """The worker submits (and resubmits after a return) only the application they made online."""
    if household.source != Source.ONLINE:
        return _("本案由工会录入，请联系工会补正后提交。")
    return None


def notice_running(household: Household, user) -> str | None:
    if household.notice_end and timezone.localdate() > household.notice_end:
        return _("公示期已于 %(d)s 结束，不能再登记异议。") % {"d": household.notice_end}
    return None


def last_rejection_step(household: Household) -> str | None:
    prefetched = getattr(household, "_prefetched_objects_cache", {}).get("opinions")
    if prefetched is not None:
        found = max((o for o in prefetched if o.decision == Opinion.Decision.REJECT), key=lambda o: o.id, default=None)
        return found.step if found else None
    return (
        household.opinions.filter(decision=Opinion.Decision.REJECT).order_by("-id").values_list("step", flat=True)
    ).first()


def open_appeal_id(household: Household) -> int | None:
    """The appeal (申诉) against the file's rejection that the centre is handling, if any."""
    appeals = household.tickets.filter(
        kind=TicketKind.APPEAL,
        subject=AppealSubject.REJECTION,
        status__in=(TicketStatus.OPEN, TicketStatus.IN_PROGRESS),
    )
    return appeals.values_list("pk", flat=True).first()


def has_open_appeal(household: Household, user) -> str | None:
    """Only an appeal (申诉) against the rejection re-opens it, while the centre is handling it."""
    return None if open_appeal_id(household) else _("本案没有待办理的不予受理申诉。")


def rejected_at(step: str):
    def rule_(household: Household, user) -> str | None:
        if last_rejection_step(household) != step:
            return _("本案不是在“%(s)s”环节不予受理的。") % {"s": Step(step).label}
        return None

    return rule_


rejected_at_first, rejected_at_second = rejected_at(Step.FIRST), rejected_at(Step.SECOND)


@rule(q=lambda user: Q(temporary_until__isnull=False, confirmed_at__isnull=True))
def is_temporary(household: Household, user) -> str | None:
    """转正 is a question only a 临时档案 (意外致困) asks: on any other file the action is not there."""
    if household.temporary_until is None or household.confirmed_at is not None:
        return _("本档案不是临时档案，无需转正。")
    return None


def tier_qualifies(household: Household, user) -> str | None:
    if household.tier == Tier.NONE:
        return _("按现有收入和支出本户“不符合”困难认定，不能转正；请先通过变更申请更新情况，或注销临时档案。")
    return None


FIRST_DUTIES = (not_the_entrant,)
# 初审 roles: the union's own 干事, or a union above's 干事 or 帮扶中心 staff (held at or above the union).
FIRST_ROLES = (GRASSROOTS, CENTRE)
SECOND_DUTIES = (assigned_to_my_organisation, took_no_part_before)


class ReviewWorkflow(Workflow):
    """The review chain: staff roles at the household's union or above, and the ``APPLICANT`` on their own file."""

    def holds(self, user, roles, obj) -> bool:
        if getattr(user, "is_worker", False):
            return APPLICANT in roles and obj.pk is not None and obj.pk == user.household_id
        return super().holds(user, roles, obj)


T = Transition
review_workflow = register(
    ReviewWorkflow(
        "household_review",
        model=Household,
        subject=gettext_lazy("该案件"),
        transitions=[
            T("submit", gettext_lazy("提交申请"), (S.DRAFT, S.RETURNED, S.REOPENED), S.SUBMITTED,
              (GRASSROOTS, CENTRE)),
            # The worker's own 网上申请: sent in, or sent back in after a return for correction.
            T("worker_submit", gettext_lazy("提交网上申请"), (S.DRAFT, S.RETURNED), S.SUBMITTED, (APPLICANT,),
              duties=(applied_online,)),
            T("first_visit", gettext_lazy("记录初审走访"), (S.SUBMITTED, S.FIRST_REVIEW), S.FIRST_REVIEW,
              (*FIRST_ROLES, CASEWORKER), duties=FIRST_DUTIES),
            T("first_approve", gettext_lazy("初审通过"), (S.FIRST_REVIEW,), S.SECOND_REVIEW, FIRST_ROLES,
              duties=FIRST_DUTIES, guards=(first_visit_recorded,)),
            T("first_return", gettext_lazy("初审退回"), (S.SUBMITTED, S.FIRST_REVIEW), S.RETURNED, FIRST_ROLES,
              duties=FIRST_DUTIES),
            T("first_reject", gettext_lazy("初审不予受理"), (S.FIRST_REVIEW,), S.REJECTED, FIRST_ROLES,
              duties=FIRST_DUTIES, guards=(first_visit_recorded,)),
            T("assign", gettext_lazy("派单复审"), (S.SECOND_REVIEW,), None, (CENTRE,)),
            T("second_visit", gettext_lazy("记录复审走访"), (S.SECOND_REVIEW,), None, (REVIEWER,),
              duties=SECOND_DUTIES),
            T("second_approve", gettext_lazy("复审通过"), (S.SECOND_REVIEW,), S.PUBLIC_NOTICE, (REVIEWER,),
              duties=SECOND_DUTIES, guards=(second_visit_recorded,)),
            T("second_return", gettext_lazy("复审退回"), (S.SECOND_REVIEW,), S.RETURNED, (REVIEWER,),
              duties=SECOND_DUTIES),
            T("second_reject", gettext_lazy("复审不予受理"), (S.SECOND_REVIEW,), S.REJECTED, (REVIEWER,),
              duties=SECOND_DUTIES, guards=(second_visit_recorded,)),
            T("objection", gettext_lazy("登记公示异议"), (S.PUBLIC_NOTICE,), S.SECOND_REVIEW, (CENTRE,),
              guards=(notice_running,)),
            T("file", gettext_lazy("建档"), (S.PUBLIC_NOTICE,), S.FILED, (CENTRE,), guards=(notice_ended,)),
            T("yearly_visit", gettext_lazy("记录年度复核走访"), (S.FILED,), None, (GRASSROOTS, CASEWORKER)),
            T("yearly_continue", gettext_lazy("年度复核：继续帮扶"), (S.FILED,), None, (GRASSROOTS, CENTRE),
              guards=(yearly_visit_recorded,)),
            T("monthly_income", gettext_lazy("记录月度收入"), (S.FILED, S.EXITED), None, (GRASSROOTS, CASEWORKER)),
            T("exit", gettext_lazy("退出帮扶"), (S.FILED,), S.EXITED, (CENTRE,)),
            T("follow_up_visit", gettext_lazy("记录退出回访"), (S.EXITED,), None, (GRASSROOTS, CASEWORKER)),
            T("reopen", gettext_lazy("返困重启"), (S.EXITED,), S.REOPENED, (GRASSROOTS, CENTRE)),
            # An upheld appeal (申诉) against a rejection re-opens the step that rejected it.
            T("appeal_first", gettext_lazy("申诉成立，重新初审"), (S.REJECTED,), S.FIRST_REVIEW, (CENTRE,),
              duties=(has_open_appeal, rejected_at_first)),
            T("appeal_second", gettext_lazy("申诉成立，重新复审"), (S.REJECTED,), S.SECOND_REVIEW, (CENTRE,),
              duties=(has_open_appeal, rejected_at_second)),
            # The archive's life cycle (cases/archive): a 临时档案 is confirmed or closed within its set time.
            T("confirm", gettext_lazy("临时档案转正"), (S.FILED,), None, (CENTRE,), duties=(is_temporary,),
              guards=(tier_qualifies,)),
            T("close", gettext_lazy("注销档案"), (S.FILED, S.EXITED), S.CLOSED, (CENTRE,)),
        ],
    )
)  # fmt: skip

ACTION_LABELS = {t.name: t.label for t in review_workflow.transitions}


# Visits: which action a visit of each step is, and who may go along.


@dataclass(frozen=True)
class VisitStep:
    action: str
    # Roles a co-visitor holds, at a union the visitor acts on.
    colleague_roles: tuple[str, ...]
    # 复审: the assigned organisation's own staff, never the 初审 reviewer.
    assigned_organisation_only: bool = False


VISIT_STEPS: dict[str, VisitStep] = {
    Step.FIRST: VisitStep("first_visit", (CASEWORKER, GRASSROOTS, CENTRE, REVIEWER)),
    Step.SECOND: VisitStep("second_visit", (REVIEWER,), assigned_organisation_only=True),
    Step.YEARLY: VisitStep("yearly_visit", (CASEWORKER, GRASSROOTS, REVIEWER)),
    Step.FOLLOW_UP: VisitStep("follow_up_visit", (CASEWORKER, GRASSROOTS, REVIEWER)),
}


def barred_from_visit(household: Household, step: str) -> set[int]:
    """Who may not go along: who entered or submitted it never reviews; at 复审, nor does the 初审 reviewer."""
    barred = {household.submitted_by_id, household.created_by_id}
    if step == Step.SECOND:
        barred.add(household.first_reviewer_id)
    return barred - {None}


def visit_colleagues(household: Household, step: str, actor: User) -> QuerySet[User]:
    """Who may go along with ``actor`` on a visit of ``step`` (the actor is always one of the visitors)."""
    declared = VISIT_STEPS[step]
    # Colleagues of the actor's unions, and the staff above the household's union who act on it
    # too (the street union's 干事 goes along with a one-staff enterprise union's).
    where = Q(union__in=scope_unions(actor)) | Q(union_id__in=household.union.ancestor_ids)
    assignments = RoleAssignment.objects.filter(where, role__in=declared.colleague_roles)
    if declared.assigned_organisation_only:
        assignments = assignments.filter(role=REVIEWER, organisation_id=household.second_review_org_id)
    return (
        User.objects.filter(is_active=True, pk__in=assignments.values("user_id"))
        .exclude(pk__in=[actor.pk, *barred_from_visit(household, step)])
        .order_by("full_name", "pk")
    )


def visit_observers(household: Household) -> QuerySet[User]:
    """纪检监督员 who may accompany a visit: the observers of the household's union or a union above it."""
    ancestor_ids = household.union.ancestor_ids
    assignments = RoleAssignment.objects.filter(role=OBSERVER, union_id__in=ancestor_ids)
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by("full_name", "pk")


def visit_participants_refusal(household: Household, step: str, actor: User, visitors, observer) -> str | None:
    """The service's check of the visit form's lists: the same querysets the form offered."""
    others = {user.pk for user in visitors} - {actor.pk}
    if others:
        allowed = set(visit_colleagues(household, step, actor).filter(pk__in=others).values_list("pk", flat=True))
        for user in visitors:
            if user.pk in others and user.pk not in allowed:
                return _("“%(n)s”不能参与本环节的走访。") % {"n": user.display_name}
    if observer is not None and not visit_observers(household).filter(pk=observer.pk).exists():
        return _("陪同的纪检监督员必须是本案所属工会或上级工会的纪检监督员账号。")
    return None
