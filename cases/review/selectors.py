"""Reads of the review chain: the file's review panel, the queues, 公示, exit eligibility.

What a user may do is never decided here: the panel and the queues read the
declaration in cases/review/workflow.py (``available_actions``, ``q_for``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.access import user_has_role
from hardship.dates import WorkingCalendar, add_months, add_working_days, unplanned_years, working_calendar
from hardship.models import SocialOrganisation
from hardship.prepared import PreparedQuery
from hardship.workflow import Action

from ..models import Flag, FlagOutcome, FlagStatus, Household, Status, Step, Tier
from ..selectors import RECENT_INCOME_MONTHS, household_queryset, standard_in_force
from .models import MonthlyIncome
from .workflow import CENTRE, GRASSROOTS, OBSERVER, VISIT_STEPS, open_appeal_id, review_workflow

# The file's review panel.

# Each page of the panel (a button) → the transitions it can take. A page is offered
# when one of them is; a decision page greys out the decisions that are not allowed.
PAGES: dict[str, tuple[tuple[str, ...], object]] = {
    "submit": (("submit",), None),
    "first_review": (("first_approve", "first_return", "first_reject"), gettext_lazy("初审")),
    "assign": (("assign",), None),
    "second_review": (("second_approve", "second_return", "second_reject"), gettext_lazy("复审")),
    "objection": (("objection",), None),
    "file": (("file",), None),
    "yearly_continue": (("yearly_continue",), None),
    "exit": (("exit",), None),
    "reopen": (("reopen",), None),
    "confirm": (("confirm",), None),
    "close": (("close",), None),
}


@dataclass(frozen=True)
class Button:
    """One button of the panel: a link when ``allowed``, else greyed out with ``reason``."""

    name: str
    label: object
    allowed: bool
    reason: str
    actions: tuple[Action, ...]


@dataclass(frozen=True)
class ReviewPanel:
    buttons: list[Button] = field(default_factory=list)
    visit_steps: list[Step] = field(default_factory=list)
    can_record_income: bool = False
    # An upheld 申诉 re-opens a rejection: taken on the appeal's ticket page, linked from here.
    appeal: Action | None = None
    appeal_ticket_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.buttons or self.visit_steps or self.appeal)


_RECENT_INCOMES = PreparedQuery(
    "household_recent_incomes",
    lambda pk: MonthlyIncome.objects.filter(household_id=pk).order_by("-month")[:RECENT_INCOME_MONTHS],
    args=["pk"],
)


def recent_monthly_incomes(*, household: Household) -> list[MonthlyIncome]:
    """The last 12 months' incomes reported for a filed file (newest first), as its page lists them: those
    ``cases.selectors.household_get`` read with the file's row (the page's query budget), else asked here."""
    if (read := getattr(household, "recent_incomes", None)) is not None:
        return read
    return _RECENT_INCOMES.fetch(pk=household.pk)


def review_panel(*, user, household: Household) -> ReviewPanel:
    """What ``user`` may do on this file now, from the one declaration (the template only renders it)."""
    actions = {a.name: a for a in review_workflow.available_actions(household, user)}
    buttons = []
    for name, (members, label) in PAGES.items():
        shown = tuple(actions[m] for m in members if m in actions)
        if not shown:
            continue
        allowed = any(a.allowed for a in shown)
        reason = "" if allowed else shown[0].reason
        buttons.append(Button(name, label or shown[0].label, allowed, reason, shown))
    steps = [Step(s) for s, declared in VISIT_STEPS.items() if getattr(actions.get(declared.action), "allowed", 0)]
    income = actions.get("monthly_income")
    appeal = next((actions[n] for n in ("appeal_first", "appeal_second") if n in actions), None)
    ticket_id = open_appeal_id(household) if appeal else None
    return ReviewPanel(buttons, steps, bool(income and income.allowed), appeal, ticket_id)


@dataclass(frozen=True)
class LevelOpinion:
    """One level's opinion for the printed sheet: its row label and the last opinion given there (or none)."""

    label: object
    opinion: object | None


_REVIEW_DECISIONS = ("approve", "return", "reject")


def level_opinions(opinions) -> list[LevelOpinion]:
    """初审, 复审 and 建档: each level's latest opinion (who, when, what), from the file's opinions in order."""
    first = second = filing = None
    for opinion in opinions:
        if opinion.step == Step.FIRST and opinion.decision in _REVIEW_DECISIONS:
            first = opinion
        elif opinion.step == Step.SECOND and opinion.decision in _REVIEW_DECISIONS:
            second = opinion
        elif opinion.decision == "file":
            filing = opinion
    return [
        LevelOpinion(gettext_lazy("初审意见"), first),
        LevelOpinion(gettext_lazy("第三方复审意见"), second),
        LevelOpinion(gettext_lazy("帮扶中心建档意见"), filing),
    ]


def page_actions(*, user, household: Household, page: str) -> tuple[Action, ...]:
    """The transitions one page of the panel offers this user (allowed or greyed out)."""
    members, _label = PAGES[page]
    return tuple(review_workflow.available_actions(household, user, members))


def organisations_for_assignment(household: Household) -> QuerySet[SocialOrganisation]:
    """Active organisations contracted by a union at or above the household: the only ones a 复审 may go to."""
    ancestor_ids = household.union.ancestor_ids
    return SocialOrganisation.objects.filter(is_active=True, contracted_by_id__in=ancestor_ids).order_by("name")


# Queues: each is the rows on which the user may take one of its actions (the declaration's
# states, roles at the union and duties), narrowed by what the queue waits for.


def _follow_ups_due(cases: QuerySet, today: date) -> QuerySet:
    visits = Count("visits", filter=Q(visits__step=Step.FOLLOW_UP, visits__visited_on__gte=F("exited_at")))
    three_months, a_year = add_months(today, -3), add_months(today, -12)
    return cases.annotate(follow_ups=visits).filter(
        Q(exited_at__lte=three_months, follow_ups=0) | Q(exited_at__lte=a_year, follow_ups__lt=2)
    )


@dataclass(frozen=True)
class Queue:
    label: object
    actions: tuple[str, ...]
    order: tuple[str, ...]
    # Roles that see the queue: the actions' roles unless narrowed (or, with no action, a watch list's).
    roles: tuple[str, ...] = ()
    narrow: Callable[[QuerySet, date], QuerySet] | None = None
    # The date the queue is due by, and whether passing it is overdue (a deadline, not a date to watch).
    due_field: str = ""
    deadline: bool = False
    # A due date so many working days after ``due_field`` (the setting's name), not the field itself.
    due_working_days_setting: str = ""
    # The due date is counted in working days (the page says when its year has no holiday calendar).
    working_day_due: bool = False

    def due_from(self, value, calendar: WorkingCalendar | None = None) -> date | None:
        """The due date of a case whose ``due_field`` is ``value`` (also the queue's nearest, from the minimum)."""
        if value is None or not self.due_field:
            return None
        day = timezone.localdate(value) if isinstance(value, datetime) else value
        if self.due_working_days_setting:
            return add_working_days(day, getattr(settings, self.due_working_days_setting), calendar)
        return day

    @property
    def seen_by(self) -> tuple[str, ...]:
        if self.roles:
            return self.roles
        return tuple(dict.fromkeys(r for a in self.actions for r in review_workflow.transition(a).roles))


QUEUES: dict[str, Queue] = {
    # 初审: the grassroots union visits within 5 working days of the submission (DOMAIN.md).
    "first": Queue(gettext_lazy("待初审"), ("first_visit", "first_approve", "first_return", "first_reject"),
                   ("submitted_at", "id"), due_field="submitted_at", deadline=True,
                   due_working_days_setting="FIRST_REVIEW_WORKING_DAYS", working_day_due=True),
    "returned": Queue(gettext_lazy("退回补正"), ("submit",), ("-updated_at",), roles=(GRASSROOTS,),
                      narrow=lambda cases, today: cases.filter(status=Status.RETURNED)),
    "assign": Queue(gettext_lazy("待派单复审"), ("assign",), ("updated_at",),
                    narrow=lambda cases, today: cases.filter(second_review_org__isnull=True)),
    "second": Queue(gettext_lazy("待复审"), ("second_visit", "second_approve", "second_return", "second_reject"),
                    ("second_review_due", "id"), due_field="second_review_due", deadline=True),
    "notice": Queue(gettext_lazy("公示中"), (), ("notice_end", "id"), roles=(CENTRE, OBSERVER, GRASSROOTS),
                    narrow=lambda cases, today: cases.filter(status=Status.PUBLIC_NOTICE), due_field="notice_end",
                    working_day_due=True),
    "to_file": Queue(gettext_lazy("公示期满待建档"), ("file",), ("notice_end", "id"), due_field="notice_end",
                     working_day_due=True),
    "yearly": Queue(gettext_lazy("年度复核到期"), ("yearly_visit", "yearly_continue"), ("next_review_due", "id"),
                    narrow=lambda cases, today: cases.filter(next_review_due__lte=today + timedelta(days=30)),
                    due_field="next_review_due", deadline=True),
    # Filed households that no longer qualify (a change request or a new standard made them 不符合):
    # they stay filed until the centre decides the exit — listed here, never dropped.
    # and those a confirmed cross-check flag sent here (信息比对: 核查处理 → 列入待退出).
    "exit": Queue(gettext_lazy("待退出（已不符合认定）"), ("exit",), ("updated_at", "id"),
                  narrow=lambda cases, today: cases.filter(Q(tier=Tier.NONE) | Q(Exists(Flag.objects.filter(
                      household_id=OuterRef("pk"), status=FlagStatus.CONFIRMED, outcome=FlagOutcome.EXIT))))),
    "follow_up": Queue(gettext_lazy("退出回访到期"), ("follow_up_visit",), ("exited_at", "id"),
                       narrow=_follow_ups_due),
}  # fmt: skip


def queues_for(*, user) -> list[tuple[str, object]]:
    return [(name, queue.label) for name, queue in QUEUES.items() if user_has_role(user, *queue.seen_by)]


def review_queue(*, user, queue: str) -> QuerySet[Household]:
    """The cases waiting in one queue for this user."""
    if queue not in QUEUES:
        raise Http404
    declared = QUEUES[queue]
    cases = household_queryset(user=user, roles=declared.seen_by)
    if declared.actions:
        cases = cases.filter(review_workflow.q_for(user, *declared.actions))
    if declared.narrow is not None:
        cases = declared.narrow(cases, timezone.localdate())
    return cases.select_related("union", "second_review_org").order_by(*declared.order)


def due_date_of(household: Household, queue: str, calendar: WorkingCalendar | None = None) -> date | None:
    """The date a case in ``queue`` is due by (the one map of queue → due date)."""
    declared = QUEUES[queue]
    return declared.due_from(getattr(household, declared.due_field), calendar) if declared.due_field else None


def due_dates(households, queue: str) -> tuple[list[tuple[Household, date | None]], list[int]]:
    """A page of a queue with each case's due date, and the years among them with no holiday calendar."""
    declared = QUEUES[queue]
    years: set[int] = set()
    for household in households:
        value = getattr(household, declared.due_field) if declared.due_field else None
        if value is not None:
            years |= {value.year, value.year + 1}
    calendar = working_calendar(years) if years and declared.due_working_days_setting else None
    rows = [(household, due_date_of(household, queue, calendar)) for household in households]
    if not declared.working_day_due:
        return rows, []
    return rows, unplanned_years([due for _household, due in rows], calendar)


@dataclass(frozen=True)
class ReviewDates:
    """The working-day dates the file page shows, and the years among them counted by weekends only."""

    first_review_due: date | None
    unplanned_years: list[int]

    @property
    def first_review_overdue(self) -> bool:
        return bool(self.first_review_due and self.first_review_due < timezone.localdate())


def review_dates(*, household: Household) -> ReviewDates:
    """The 初审 due date and the 公示 dates' calendar note, while they are running (one query; none after)."""
    if household.status == Status.PUBLIC_NOTICE:
        return ReviewDates(None, unplanned_years([household.notice_start, household.notice_end]))
    if household.status not in (Status.SUBMITTED, Status.FIRST_REVIEW) or household.submitted_at is None:
        return ReviewDates(None, [])
    declared = QUEUES["first"]
    submitted = timezone.localdate(household.submitted_at)
    calendar = working_calendar({submitted.year, submitted.year + 1})
    due = declared.due_from(household.submitted_at, calendar)
    return ReviewDates(due, unplanned_years([due], calendar))


def notice_list(*, user) -> QuerySet[Household]:
    """公示: cases now in public notice, for the notice page (masked there)."""
    return (
        household_queryset(user=user)
        .filter(status=Status.PUBLIC_NOTICE)
        .select_related("union")
        .order_by("notice_end", "union__path", "id")
    )


# Exit.


@dataclass(frozen=True)
class ExitEligibility:
    eligible: bool
    explanation: str
    months: list


def exit_eligibility(*, household: Household) -> ExitEligibility:
    """脱困: per-capita income above 低保 in each of the last 6 consecutive recorded months."""
    records = list(household.monthly_incomes.order_by("-month")[:6])
    if len(records) < 6:
        return ExitEligibility(False, _("只记录了 %(n)d 个月的收入，需要连续 6 个月。") % {"n": len(records)}, records)
    for newer, older in zip(records, records[1:], strict=False):
        if add_months(older.month, 1) != newer.month:
            return ExitEligibility(
                False, _("%(m)s 的收入没有记录，最近 6 个月不连续。") % {"m": f"{add_months(older.month, 1):%Y-%m}"},
                records,
            )  # fmt: skip
    for record in records:
        standard = standard_in_force(union=household.union, on=record.month)
        if standard is None or record.per_capita_income <= standard.dibao_monthly:
            line = standard.dibao_monthly if standard else "—"
            return ExitEligibility(
                False, _("%(m)s 人均月收入 %(v)s 元，未高于当月低保 %(d)s 元。")
                % {"m": f"{record.month:%Y-%m}", "v": record.per_capita_income, "d": line}, records,
            )  # fmt: skip
    return ExitEligibility(True, _("最近连续 6 个月人均月收入均高于低保标准，符合脱困条件。"), records)


def follow_ups_due(household: Household) -> list[date]:
    """回访 dates (3 and 12 months after exit) not yet covered by a follow-up visit."""
    if household.exited_at is None:
        return []
    done = household.visits.filter(step=Step.FOLLOW_UP, visited_on__gte=household.exited_at).count()
    return [add_months(household.exited_at, 3), add_months(household.exited_at, 12)][done:]
