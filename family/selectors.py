"""What a worker's pages read: their own household only, always through ``worker_household``.

Every read starts from the signed-in account's ``household_id``; no page takes a household id
from the URL, so there is no other household to ask for (each worker URL answers 404 or the
sign-in page for anything else).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Household, Opinion, Status, WorkStatus
from cases.review.workflow import review_workflow
from hardship.dates import age_on
from programs.assistance.models import Payment
from programs.workstudy.models import Application, PlacementStatus, Season, SeasonStatus
from programs.workstudy.workflow import placement_workflow, season_workflow

from .models import WorkerAccount


def worker_household(worker: WorkerAccount) -> Household | None:
    if worker.household_id is None:
        return None
    return (
        Household.objects.select_related("union", "standard")
        .prefetch_related(
            "members",
            Prefetch("opinions", queryset=Opinion.objects.order_by("created_at", "id")),
            "visits",
            "attachments",
        )
        .get(pk=worker.household_id)
    )


def worker_household_or_404(worker: WorkerAccount) -> Household:
    household = worker_household(worker)
    if household is None:
        raise Http404
    return household


@dataclass(frozen=True)
class Step:
    label: str
    state: str  # "done", "current", "waiting"
    when: date | None = None
    note: str = ""


def _last(household: Household, decision: str):
    found = [o for o in household.opinions.all() if o.decision == decision]
    return found[-1] if found else None


def return_reasons(household: Household) -> str:
    """The reasons of the latest return for correction (退回补正), for the worker to fix."""
    opinion = _last(household, Opinion.Decision.RETURN)
    return opinion.text if opinion else ""


def progress(household: Household) -> list[Step]:
    """Each step of the review in words: done (with its date), current (what is awaited, from whom), waiting."""
    s = household.status
    reached = {
        Status.DRAFT: 0, Status.RETURNED: 0, Status.SUBMITTED: 1, Status.FIRST_REVIEW: 1, Status.SECOND_REVIEW: 2,
        Status.PUBLIC_NOTICE: 3, Status.FILED: 5, Status.EXITED: 5, Status.REOPENED: 0, Status.REJECTED: -1,
    }[s]  # fmt: skip
    first_ok = _last(household, Opinion.Decision.APPROVE)
    first_visit = next((v for v in household.visits.all() if v.step == "first"), None)
    union = household.union.name

    def state(step: int) -> str:  # step n is done once the file has passed it, current while it is there
        return "done" if reached > step else "current" if reached == step else "waiting"

    submitted = household.submitted_at.date() if household.submitted_at and reached >= 1 else None
    first_date = first_ok.created_at.date() if first_ok and reached >= 2 else None
    if first_date is None and first_visit is not None:
        first_date = first_visit.visited_on
    notice = ""
    if household.notice_start:
        notice = _("公示期 %(a)s 至 %(b)s，公示只显示脱敏信息。") % {
            "a": household.notice_start,
            "b": household.notice_end,
        }
    steps = [
        Step(_("提交申请"), "done" if reached >= 1 else "current", submitted,
             "" if reached >= 1 else _("请按退回理由修改后重新提交。") if s == Status.RETURNED
             else _("请填写并提交申请。")),
        Step(_("初审（%(u)s 入户走访并审核）") % {"u": union}, state(1), first_date,
             _("等待%(u)s的工作人员上门走访（一般在 5 个工作日内），请保持电话畅通。") % {"u": union}
             if reached == 1 else ""),
        Step(_("复审（第三方社会组织再次走访）"), state(2), None,
             _("等待第三方社会组织上门复核。") if reached == 2 else ""),
        Step(_("公示"), state(3), household.notice_start, notice),
        Step(_("建档"), "done" if reached >= 5 else "waiting", household.filed_at,
             _("已建档，困难类别：%(t)s。") % {"t": household.tier_label} if reached >= 5 else ""),
    ]  # fmt: skip
    return steps


def outcome(household: Household) -> str:
    """The result in words, with its reason, once there is one."""
    if household.status == Status.REJECTED:
        opinion = _last(household, Opinion.Decision.REJECT)
        return _("不予受理。理由：%(r)s") % {"r": opinion.text if opinion else "—"}
    if household.status == Status.FILED:
        return _("已建档：%(t)s（人均月收入 %(p)s 元）。") % {
            "t": household.tier_label,
            "p": household.per_capita_income,
        }
    return ""


def worker_actions(household: Household, worker: WorkerAccount) -> set[str]:
    """What the review machine lets the worker do on their file now (``worker_submit`` after a return)."""
    return {a.name for a in review_workflow.available_actions(household, worker) if a.allowed}


def tier_reason(household: Household) -> str:
    """Why the file has its tier, from the standard it was tiered under (the same rule as the staff page)."""
    standard = household.standard
    if standard is None:
        return ""
    return _(
        "家庭人均月收入 %(p)s 元（近一年收入扣除看病、上学等刚性支出后，按 %(n)d 人计算），"
        "按 %(from)s 起执行的标准：低保 %(d)s 元/人/月。"
    ) % {"p": household.per_capita_income, "n": household.member_count, "from": standard.effective_from,
         "d": standard.dibao_monthly}  # fmt: skip


def payments(household: Household) -> list[Payment]:
    """Payments to the household, by program and period, with the date and the card's last 4 digits."""
    return list(
        Payment.objects.filter(household_id=household.pk)
        .exclude(status=Payment.Status.CANCELLED)
        .select_related("entitlement__program", "batch")
        .order_by("-batch__period", "entitlement__program__name", "-id")
    )


def help_received(household: Household):
    return list(household.non_cash_help.order_by("-given_on", "-id"))


def workstudy_seasons(worker: WorkerAccount):
    """The 关爱·圆梦 seasons the worker may sign their student up for now (the season machine decides)."""
    household = worker.household
    if household is None or household.status != Status.FILED:
        return []
    seasons = Season.objects.filter(status=SeasonStatus.OPEN, union_id__in=household.union.ancestor_ids)
    return [
        s for s in seasons.select_related("union").order_by("starts_on")
        if season_workflow.allowed(s, worker, "family_register")
    ]  # fmt: skip


def workstudy_students(worker: WorkerAccount, season) -> list:
    """The household's students old enough on the season's start (hardship.dates.age_on)."""
    household = worker.household
    return [
        m for m in household.members.filter(removed=False, work_status=WorkStatus.STUDENT).order_by("position", "id")
        if age_on(m.birth_date, season.starts_on) >= season.min_age
    ]  # fmt: skip


def workstudy_applications(worker: WorkerAccount) -> list:
    """The household's sign-ups: result, placement and whether the family may accept it now."""
    if worker.household_id is None:
        return []
    applications = list(
        Application.objects.filter(household_id=worker.household_id)
        .select_related("season__union")
        .prefetch_related("placements__position__enterprise", "preferences__position")
        .order_by("-season__starts_on", "id")
    )
    for application in applications:
        placements = [p for p in application.placements.all() if p.status != PlacementStatus.PROPOSED]
        application.shown_placement = placements[0] if placements else None
        application.can_accept = bool(placements) and placement_workflow.allowed(placements[0], worker,
                                                                                 "student_accept")  # fmt: skip
    return applications
