"""The review chain of a file: submit → 初审 → 复审 → 公示 → 建档; yearly review, exit, 返困.

Every action is one function that locks the household row, checks that the
transition is allowed from the current status, that the actor holds the role
at a union above the household, and the separation of duties; then writes,
records an opinion and an audit event, and notifies whoever's queue the case
lands in — all in one transaction. The order is enforced here, on the server.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.access import scope_unions
from hardship.dates import add_months, working_day_span
from hardship.models import Notification, Role, RoleAssignment, SocialOrganisation, User
from hardship.services import audit_record

from ..models import (
    ExitKind,
    HomeVisit,
    Household,
    MonthlyIncome,
    Opinion,
    Status,
    Step,
    VisitPhoto,
)
from ..services.households import household_set_live, standard_in_force
from ..tiers import money

S = Status

# action → (statuses it may start from, status it leads to). The one transition map.
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((S.DRAFT, S.RETURNED, S.REOPENED), S.SUBMITTED),
    "first_visit": ((S.SUBMITTED, S.FIRST_REVIEW), S.FIRST_REVIEW),
    "first_approve": ((S.FIRST_REVIEW,), S.SECOND_REVIEW),
    "first_return": ((S.SUBMITTED, S.FIRST_REVIEW), S.RETURNED),
    "first_reject": ((S.FIRST_REVIEW,), S.REJECTED),
    "assign": ((S.SECOND_REVIEW,), S.SECOND_REVIEW),
    "second_visit": ((S.SECOND_REVIEW,), S.SECOND_REVIEW),
    "second_approve": ((S.SECOND_REVIEW,), S.PUBLIC_NOTICE),
    "second_return": ((S.SECOND_REVIEW,), S.RETURNED),
    "second_reject": ((S.SECOND_REVIEW,), S.REJECTED),
    "objection": ((S.PUBLIC_NOTICE,), S.SECOND_REVIEW),
    "file": ((S.PUBLIC_NOTICE,), S.FILED),
    "yearly_visit": ((S.FILED,), S.FILED),
    "yearly_continue": ((S.FILED,), S.FILED),
    "exit": ((S.FILED,), S.EXITED),
    "follow_up_visit": ((S.EXITED,), S.EXITED),
    "reopen": ((S.EXITED,), S.REOPENED),
}

ACTION_LABELS = {
    "submit": gettext_lazy("提交申请"),
    "first_visit": gettext_lazy("记录初审走访"),
    "first_approve": gettext_lazy("初审通过"),
    "first_return": gettext_lazy("初审退回"),
    "first_reject": gettext_lazy("初审不予受理"),
    "assign": gettext_lazy("派单复审"),
    "second_visit": gettext_lazy("记录复审走访"),
    "second_approve": gettext_lazy("复审通过"),
    "second_return": gettext_lazy("复审退回"),
    "second_reject": gettext_lazy("复审不予受理"),
    "objection": gettext_lazy("登记公示异议"),
    "file": gettext_lazy("建档"),
    "yearly_visit": gettext_lazy("记录年度复核走访"),
    "yearly_continue": gettext_lazy("年度复核：继续帮扶"),
    "exit": gettext_lazy("退出帮扶"),
    "follow_up_visit": gettext_lazy("记录退出回访"),
    "reopen": gettext_lazy("返困重启"),
}

# Who may take each action (at a union at or above the household's).
ACTION_ROLES: dict[str, tuple[str, ...]] = {
    "submit": (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF),
    "first_visit": (Role.GRASSROOTS_STAFF, Role.CASEWORKER),
    "first_approve": (Role.GRASSROOTS_STAFF,),
    "first_return": (Role.GRASSROOTS_STAFF,),
    "first_reject": (Role.GRASSROOTS_STAFF,),
    "assign": (Role.CENTRE_STAFF,),
    "second_visit": (Role.THIRD_PARTY_REVIEWER,),
    "second_approve": (Role.THIRD_PARTY_REVIEWER,),
    "second_return": (Role.THIRD_PARTY_REVIEWER,),
    "second_reject": (Role.THIRD_PARTY_REVIEWER,),
    "objection": (Role.CENTRE_STAFF,),
    "file": (Role.CENTRE_STAFF,),
    "yearly_visit": (Role.GRASSROOTS_STAFF, Role.CASEWORKER),
    "yearly_continue": (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF),
    "exit": (Role.CENTRE_STAFF,),
    "follow_up_visit": (Role.GRASSROOTS_STAFF, Role.CASEWORKER),
    "reopen": (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF),
}

VISIT_ACTIONS = {Step.FIRST: "first_visit", Step.SECOND: "second_visit", Step.YEARLY: "yearly_visit",
                 Step.FOLLOW_UP: "follow_up_visit"}  # fmt: skip
THIRD_PARTY_ACTIONS = {"second_visit", "second_approve", "second_return", "second_reject"}
FIRST_REVIEW_ACTIONS = {"first_visit", "first_approve", "first_return", "first_reject"}
MAX_PHOTO_BYTES = 10 * 1024 * 1024


class TransitionRefused(ValidationError):
    """The action is not allowed now (wrong status, duties, missing visit): a clear message."""


@dataclass(frozen=True)
class VisitInput:
    visited_on: date
    living_conditions: str
    findings: str
    address_confirmed: bool = False
    visitors: tuple[User, ...] = ()
    observer: User | None = None
    verified_incomes: dict | None = None
    photos: tuple = ()


# Checks


def _lock(household_id: int) -> Household:
    return (
        Household.objects.select_for_update(of=("self",))
        .select_related("union", "second_review_org")
        .get(pk=household_id)
    )


def _check_status(household: Household, action: str) -> str:
    sources, target = TRANSITIONS[action]
    if household.status not in sources:
        raise TransitionRefused(
            _("该案件当前状态为“%(s)s”，不能%(a)s。可能已由他人处理，请刷新页面后查看。")
            % {"s": household.get_status_display(), "a": ACTION_LABELS[action]},
            code="wrong_status",
        )
    return target


def _check_role(actor: User, household: Household, action: str) -> None:
    roles = ACTION_ROLES[action]
    if not scope_unions(actor, roles).filter(pk=household.union_id).exists():
        raise PermissionDenied(_("您在该案件所属工会没有“%(a)s”的权限。") % {"a": ACTION_LABELS[action]})


def _reviewer_organisations(actor: User) -> set[int]:
    return set(
        RoleAssignment.objects.filter(user=actor, role=Role.THIRD_PARTY_REVIEWER).values_list(
            "organisation_id", flat=True
        )
    )


def _check_duties(actor: User, household: Household, action: str) -> None:
    """Separation of duties: the submitter does not review; the 初审 reviewer does not do 复审."""
    if action in FIRST_REVIEW_ACTIONS and household.submitted_by_id == actor.pk:
        raise PermissionDenied(_("您是本案的提交人，不能同时进行初审。"))
    if action in THIRD_PARTY_ACTIONS:
        if household.second_review_org_id is None:
            raise TransitionRefused(_("本案尚未派单给第三方机构，不能复审。"))
        if household.second_review_org_id not in _reviewer_organisations(actor):
            raise PermissionDenied(_("本案已派给其他第三方机构，您不能处理。"))
        if actor.pk in (household.first_reviewer_id, household.submitted_by_id):
            raise PermissionDenied(_("您参与了本案的申请或初审，不能再做复审。"))


def _begin(actor: User, household_id: int, action: str) -> tuple[Household, str]:
    household = _lock(household_id)
    target = _check_status(household, action)
    _check_role(actor, household, action)
    _check_duties(actor, household, action)
    return household, target


def _visit_since(household: Household, step: str, since) -> HomeVisit | None:
    visits = household.visits.filter(step=step)
    if since is not None:
        visits = visits.filter(recorded_at__gte=since)
    return visits.order_by("-visited_on", "-id").first()


def _require_visit(household: Household, step: str, since) -> HomeVisit:
    visit = _visit_since(household, step, since)
    if visit is None:
        raise TransitionRefused(
            _("完成“%(s)s”前必须先记录本环节的入户走访。") % {"s": Step(step).label}, code="visit_missing"
        )
    return visit


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise TransitionRefused(_("请填写%(w)s。") % {"w": what}, code="text_missing")
    return text


# Writes


def _finish(
    *, actor: User, household: Household, action: str, target: str, fields: list[str], step: str = "",
    decision: str = "", text: str = "", request=None, notify: list[User] | None = None, notify_text: str = "",
) -> Household:  # fmt: skip
    old = household.status
    household.status = target
    household.version += 1
    household.updated_by = actor
    household.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    if target in (S.REJECTED,) or old in (S.REJECTED,):
        household_set_live(household=household)
    if decision:
        Opinion.objects.create(household=household, step=step, decision=decision, text=text, actor=actor)
    changes = {"status": (old, target)} if old != target else {}
    changes.update({f: (None, str(getattr(household, f))) for f in fields if getattr(household, f) not in (None, "")})
    audit_record(actor=actor, verb=f"review.{action}", target=household, changes=changes, request=request)
    if notify:
        _notify(notify, household, notify_text or ACTION_LABELS[action], exclude=actor)
    return household


def _notify(users, household: Household, text: str, *, exclude: User | None = None) -> None:
    url = reverse("cases:household_detail", args=[household.pk])
    rows = {
        user.pk: Notification(user=user, text=f"{household.head_name}户：{text}"[:200], url=url)
        for user in users
        if exclude is None or user.pk != exclude.pk
    }
    Notification.objects.bulk_create(rows.values())


def staff_over(household: Household, *roles: str, organisation: SocialOrganisation | None = None) -> list[User]:
    """Users holding one of ``roles`` at the household's union or above it."""
    ancestor_ids = [int(pk) for pk in household.union.path.strip("/").split("/")]
    assignments = RoleAssignment.objects.filter(role__in=roles, union_id__in=ancestor_ids, user__is_active=True)
    if organisation is not None:
        assignments = assignments.filter(organisation=organisation)
    return [a.user for a in assignments.select_related("user")]


def household_submit(*, actor: User, household_id: int, request=None) -> Household:
    """The grassroots union sends the application into review (草稿/退回/返困 → 已提交)."""
    with transaction.atomic():
        household, target = _begin(actor, household_id, "submit")
        household.submitted_by, household.submitted_at = actor, timezone.now()
        household.first_reviewer = household.second_reviewer = None
        return _finish(
            actor=actor, household=household, action="submit", target=target,
            fields=["submitted_by", "submitted_at", "first_reviewer", "second_reviewer"],
            decision=Opinion.Decision.SUBMIT, request=request,
            notify=staff_over(household, Role.GRASSROOTS_STAFF, Role.CASEWORKER), notify_text=_("待初审走访"),
        )  # fmt: skip


def visit_record(*, actor: User, household_id: int, step: str, visit: VisitInput, request=None) -> HomeVisit:
    """Log a home visit for the step it serves. A 初审 visit starts the 初审 (已提交 → 初审中)."""
    if step not in VISIT_ACTIONS:
        raise TransitionRefused(_("请选择走访环节。"))
    action = VISIT_ACTIONS[step]
    if visit.visited_on > timezone.localdate():
        raise TransitionRefused(_("走访日期不能晚于今天。"))
    if (
        visit.observer is not None
        and not RoleAssignment.objects.filter(user=visit.observer, role=Role.DISCIPLINE_OBSERVER).exists()
    ):
        raise TransitionRefused(_("陪同的纪检监督员必须是纪检监督员账号。"))
    for photo in visit.photos:
        if photo.size > MAX_PHOTO_BYTES:
            raise TransitionRefused(_("照片“%(n)s”超过 10 MB。") % {"n": photo.name})
        head = photo.read(8)
        photo.seek(0)
        if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")):
            raise TransitionRefused(_("照片“%(n)s”不是 JPG 或 PNG 图片。") % {"n": photo.name})
    with transaction.atomic():
        household, target = _begin(actor, household_id, action)
        if step == Step.FIRST and household.submitted_by_id == actor.pk:
            raise PermissionDenied(_("您是本案的提交人，不能同时进行初审走访。"))
        record = HomeVisit.objects.create(
            household=household,
            step=step,
            visited_on=visit.visited_on,
            observer=visit.observer,
            address_confirmed=visit.address_confirmed,
            living_conditions=_require_text(visit.living_conditions, _("居住与生活状况")),
            findings=_require_text(visit.findings, _("走访结论")),
            verified_incomes={str(k): str(money(v)) for k, v in (visit.verified_incomes or {}).items()},
            recorded_by=actor,
        )
        record.visitors.set({actor, *visit.visitors})
        for index, photo in enumerate(visit.photos):
            kind = "png" if photo.content_type == "image/png" else "jpg"
            saved = VisitPhoto(visit=record, content_type=f"image/{'png' if kind == 'png' else 'jpeg'}",
                               size=photo.size)  # fmt: skip
            saved.file.save(f"{visit.visited_on:%Y%m%d}-{index + 1}.{kind}", photo, save=False)
            saved.save()
        _finish(
            actor=actor, household=household, action=action, target=target, fields=[], request=request,
        )  # fmt: skip
        return record


def first_review_decide(*, actor: User, household_id: int, decision: str, text: str, request=None) -> Household:
    """The grassroots union's 初审: approve (to 复审), return for correction, or reject."""
    action = {"approve": "first_approve", "return": "first_return", "reject": "first_reject"}.get(decision)
    if action is None:
        raise TransitionRefused(_("请选择初审结论。"))
    with transaction.atomic():
        household, target = _begin(actor, household_id, action)
        if action != "first_return":
            _require_visit(household, Step.FIRST, household.submitted_at)
        if action != "first_approve":
            text = _require_text(text, _("退回或不予受理的原因"))
        household.first_reviewer = actor
        notify = staff_over(household, Role.CENTRE_STAFF) if action == "first_approve" else [household.submitted_by]
        return _finish(
            actor=actor, household=household, action=action, target=target, fields=["first_reviewer"],
            step=Step.FIRST, decision=decision, text=text, request=request, notify=[u for u in notify if u],
            notify_text=_("初审通过，待派单复审") if action == "first_approve" else ACTION_LABELS[action],
        )  # fmt: skip


def second_review_assign(
    *, actor: User, household_id: int, organisation: SocialOrganisation, due: date | None = None, request=None
) -> Household:
    """The centre hands the 复审 to a third-party organisation, with a due date."""
    due = due or timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
    if due < timezone.localdate():
        raise TransitionRefused(_("复审期限不能早于今天。"))
    if not organisation.is_active:
        raise TransitionRefused(_("该社会组织已停用。"))
    with transaction.atomic():
        household, target = _begin(actor, household_id, "assign")
        if not organisation.contracted_by.path or not household.union.path.startswith(organisation.contracted_by.path):
            raise TransitionRefused(_("该社会组织未与本案所属工会的上级签约。"))
        household.second_review_org, household.second_review_due = organisation, due
        return _finish(
            actor=actor, household=household, action="assign", target=target,
            fields=["second_review_org", "second_review_due"], step=Step.SECOND, decision=Opinion.Decision.ASSIGN,
            text=_("派给 %(o)s，期限 %(d)s") % {"o": organisation.name, "d": due}, request=request,
            notify=staff_over(household, Role.THIRD_PARTY_REVIEWER, organisation=organisation),
            notify_text=_("待复审，期限 %(d)s") % {"d": due},
        )  # fmt: skip


def second_review_decide(*, actor: User, household_id: int, decision: str, text: str, request=None) -> Household:
    """The third party's 复审: approve (to 公示), return for correction, or reject."""
    action = {"approve": "second_approve", "return": "second_return", "reject": "second_reject"}.get(decision)
    if action is None:
        raise TransitionRefused(_("请选择复审结论。"))
    with transaction.atomic():
        household, target = _begin(actor, household_id, action)
        assigned_at = household.opinions.filter(decision=Opinion.Decision.ASSIGN).order_by("-id").first()
        if action != "second_return":
            _require_visit(household, Step.SECOND, assigned_at.created_at if assigned_at else None)
        if action != "second_approve":
            text = _require_text(text, _("退回或不予受理的原因"))
        household.second_reviewer = actor
        fields = ["second_reviewer"]
        notify = [household.submitted_by] if household.submitted_by else []
        if action == "second_approve":
            household.notice_start, household.notice_end = working_day_span(
                timezone.localdate(), settings.PUBLIC_NOTICE_WORKING_DAYS
            )
            fields += ["notice_start", "notice_end"]
            notify = staff_over(household, Role.CENTRE_STAFF)
        return _finish(
            actor=actor, household=household, action=action, target=target, fields=fields, step=Step.SECOND,
            decision=decision, text=text, request=request, notify=notify,
        )  # fmt: skip


def notice_objection(*, actor: User, household_id: int, text: str, request=None) -> Household:
    """An objection during 公示 sends the case back to the same third party's 复审."""
    with transaction.atomic():
        household, target = _begin(actor, household_id, "objection")
        if household.notice_end and timezone.localdate() > household.notice_end:
            raise TransitionRefused(_("公示期已于 %(d)s 结束，不能再登记异议。") % {"d": household.notice_end})
        text = _require_text(text, _("异议内容"))
        household.notice_start = household.notice_end = None
        household.second_review_due = timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
        return _finish(
            actor=actor, household=household, action="objection", target=target,
            fields=["notice_start", "notice_end", "second_review_due"], step=Step.SECOND,
            decision=Opinion.Decision.OBJECTION, text=text, request=request,
            notify=staff_over(household, Role.THIRD_PARTY_REVIEWER, organisation=household.second_review_org),
            notify_text=_("公示有异议，退回复审"),
        )  # fmt: skip


def household_file(*, actor: User, household_id: int, request=None) -> Household:
    """建档 after the 公示 has ended: the file number, and from now on the household is in programs."""
    with transaction.atomic():
        household, target = _begin(actor, household_id, "file")
        today = timezone.localdate()
        if household.notice_end is None or today <= household.notice_end:
            raise TransitionRefused(
                _("公示期至 %(d)s 结束，公示结束后才能建档。") % {"d": household.notice_end}, code="notice_running"
            )
        if not household.file_number:
            root_code = household.union.path.split("/")[0]
            household.file_number = f"{_root_code(root_code)}{today:%Y}{household.pk:07d}"
        household.filed_at = today
        household.next_review_due = add_months(today, 12)
        return _finish(
            actor=actor, household=household, action="file", target=target,
            fields=["file_number", "filed_at", "next_review_due"], decision=Opinion.Decision.FILE, request=request,
            notify=[household.submitted_by] if household.submitted_by else [], notify_text=_("已建档"),
        )  # fmt: skip


def _root_code(root_id: str) -> str:
    from hardship.models import Union

    code = Union.objects.filter(pk=int(root_id)).values_list("code", flat=True).first() or "GH"
    return "".join(ch for ch in code if ch.isalnum())[:6]


def yearly_review_continue(*, actor: User, household_id: int, text: str = "", request=None) -> Household:
    """年度复核: the household stays in assistance; due again 12 months from today."""
    with transaction.atomic():
        household, target = _begin(actor, household_id, "yearly_continue")
        since = timezone.now() - timedelta(days=90)
        _require_visit(household, Step.YEARLY, since)
        household.next_review_due = add_months(timezone.localdate(), 12)
        return _finish(
            actor=actor, household=household, action="yearly_continue", target=target, fields=["next_review_due"],
            step=Step.YEARLY, decision=Opinion.Decision.CONTINUE, text=text, request=request,
        )  # fmt: skip


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


def monthly_income_record(
    *, actor: User, household_id: int, month: date, per_capita_income: Decimal, request=None
) -> MonthlyIncome:
    """Record one month's per-capita income of a filed household (for the 脱困 rule)."""
    if per_capita_income < 0:
        raise TransitionRefused(_("收入不能为负数。"))
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise TransitionRefused(_("不能记录未来月份的收入。"))
    with transaction.atomic():
        household = _lock(household_id)
        _check_role(actor, household, "yearly_visit")
        if household.status not in (S.FILED, S.EXITED):
            raise TransitionRefused(_("只有已建档的家庭需要记录月度收入。"))
        if household.monthly_incomes.filter(month=month).exists():
            raise TransitionRefused(_("%(m)s 的收入已经记录过。") % {"m": f"{month:%Y-%m}"})
        record = MonthlyIncome.objects.create(
            household=household, month=month, per_capita_income=per_capita_income, recorded_by=actor
        )
        audit_record(actor=actor, verb="review.monthly_income", target=household,
                     changes={f"income.{month:%Y-%m}": (None, str(per_capita_income))}, request=request)  # fmt: skip
        return record


def household_exit(*, actor: User, household_id: int, kind: str, reason: str = "", request=None) -> Household:
    """退出帮扶: 脱困 when the income rule holds; 解困 with a reason. Follow-ups at 3 and 12 months."""
    if kind not in ExitKind.values:
        raise TransitionRefused(_("请选择退出方式。"))
    with transaction.atomic():
        household, target = _begin(actor, household_id, "exit")
        if kind == ExitKind.OUT_OF_HARDSHIP:
            check = exit_eligibility(household=household)
            if not check.eligible:
                raise TransitionRefused(_("不符合脱困条件：%(w)s") % {"w": check.explanation}, code="not_eligible")
            reason = reason or check.explanation
        else:
            reason = _require_text(reason, _("解困原因"))
        household.exit_kind, household.exit_reason, household.exited_at = kind, reason[:200], timezone.localdate()
        return _finish(
            actor=actor, household=household, action="exit", target=target,
            fields=["exit_kind", "exit_reason", "exited_at"], decision=Opinion.Decision.EXIT,
            text=f"{ExitKind(kind).label}：{reason}", request=request,
        )  # fmt: skip


def follow_ups_due(household: Household) -> list[date]:
    """回访 dates (3 and 12 months after exit) not yet covered by a follow-up visit."""
    if household.exited_at is None:
        return []
    done = household.visits.filter(step=Step.FOLLOW_UP, visited_on__gte=household.exited_at).count()
    return [add_months(household.exited_at, 3), add_months(household.exited_at, 12)][done:]


def household_reopen(*, actor: User, household_id: int, text: str, request=None) -> Household:
    """返困: the same file re-opens (history kept, never a second file) and goes through review again."""
    with transaction.atomic():
        household, target = _begin(actor, household_id, "reopen")
        text = _require_text(text, _("返困原因"))
        household.exit_kind, household.exit_reason, household.exited_at = "", "", None
        household.notice_start = household.notice_end = None
        household.second_review_org, household.second_review_due = None, None
        return _finish(
            actor=actor, household=household, action="reopen", target=target,
            fields=["exit_kind", "exit_reason", "exited_at", "notice_start", "notice_end", "second_review_org",
                    "second_review_due"],
            decision=Opinion.Decision.REOPEN, text=text, request=request,
        )  # fmt: skip
