"""The review chain's writes: submit → 初审 → 复审 → 公示 → 建档; yearly review, exit, 返困.

Every action is one function of one shape: lock the household row, ask the
workflow (cases/review/workflow.py: the state, the role at a union above the
household, the separation of duties, the guards) on the locked row, check the
input, write with ``update_fields``, record an opinion and an audit event, and
notify whoever's queue the case lands in — all in one transaction. A refusal is
``ActionRefused`` with the sentence shown to the user.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.dates import add_months, working_day_span
from hardship.models import Notification, Role, RoleAssignment, SocialOrganisation, Union, User
from hardship.money import money
from hardship.notify import notify_family
from hardship.services import audit_record
from hardship.workflow import ActionRefused, Transition

from ..models import (
    NOT_LIVE_STATUSES,
    CloseReason,
    ExitKind,
    HomeVisit,
    Household,
    MonthlyIncome,
    Opinion,
    Status,
    Step,
    Tier,
    VisitPhoto,
)
from ..services.households import household_set_live
from ..tickets.models import TicketKind, TicketStatus
from ..tickets.records import ticket_record
from .selectors import exit_eligibility, organisations_for_assignment
from .workflow import ACTION_LABELS, VISIT_STEPS, last_rejection_step, review_workflow, visit_participants_refusal

MAX_PHOTO_BYTES = 10 * 1024 * 1024


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


def _lock(household_id: int) -> Household:
    return (
        Household.objects.select_for_update(of=("self",))
        .select_related("union", "second_review_org")
        .get(pk=household_id)
    )


def _begin(actor: User, household_id: int, action: str) -> tuple[Household, Transition]:
    """Lock the row, then ask the workflow on it: the decision is taken on what is now in the database."""
    household = _lock(household_id)
    return household, review_workflow.check(household, actor, action)


def _require_text(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("请填写%(w)s。") % {"w": what}, code="text_missing")
    return text


# Writes


def _finish(
    *, actor: User, household: Household, step: Transition, fields: list[str], review_step: str = "",
    decision: str = "", text: str = "", request=None, notify: list[User] | None = None, notify_text: str = "",
) -> Household:  # fmt: skip
    """Write the new state and ``fields`` (update_fields), the opinion, the audit event, the notifications."""
    old = household.status
    household.status = step.target_of(old)
    household.version += 1
    household.updated_by = actor
    household.save(update_fields=["status", "version", "updated_by", "updated_at", *fields])
    if (old in NOT_LIVE_STATUSES) != (household.status in NOT_LIVE_STATUSES):
        household_set_live(household=household)
    if decision:
        Opinion.objects.create(household=household, step=review_step, decision=decision, text=text, actor=actor)
    changes = {"status": (old, household.status)} if old != household.status else {}
    changes.update({f: (None, str(getattr(household, f))) for f in fields if getattr(household, f) not in (None, "")})
    changes["version"] = (household.version - 1, household.version)  # a stale form lists the changes since its own
    audit_record(actor=actor, verb=f"review.{step.name}", target=household, changes=changes, request=request)
    _tell_family(household, step.name, text)
    if notify:
        notify_staff(notify, household, notify_text or ACTION_LABELS[step.name], exclude=actor)
    return household


# What the family is told of each step (cases/notices: the templates and the delivery).
FAMILY_EVENTS = {
    "submit": "submitted", "first_return": "returned", "second_return": "returned", "first_approve": "first_approved",
    "first_reject": "rejected", "second_reject": "rejected", "second_approve": "notice_started", "file": "filed",
}  # fmt: skip


def _tell_family(household: Household, action: str, text: str) -> None:
    event = FAMILY_EVENTS.get(action)
    if event is None:
        return
    context = {"reason": text, "days": settings.APPEAL_WINDOW_DAYS, "file_number": household.file_number,
               "start": str(household.notice_start or ""), "end": str(household.notice_end or "")}  # fmt: skip
    notify_family(household_id=household.pk, event=event, key=f"review:{household.pk}:{household.version}",
                  context=context)  # fmt: skip


def notify_staff(users, household: Household | None, text: str, *, exclude: User | None = None,
                 url: str = "") -> None:  # fmt: skip
    """The bell of each of ``users``: what landed in their queue (about ``household`` when it names one)."""
    url = url or reverse("cases:household_detail", args=[household.pk])
    prefix = f"{household.head_name}户：" if household else ""
    rows = {
        user.pk: Notification(user=user, text=f"{prefix}{text}"[:200], url=url)
        for user in users
        if exclude is None or user.pk != exclude.pk
    }
    Notification.objects.bulk_create(rows.values())


def staff_over(household: Household, *roles: str, organisation: SocialOrganisation | None = None) -> list[User]:
    """Users holding one of ``roles`` at the household's union or above it (whom to notify)."""
    ancestor_ids = household.union.ancestor_ids
    assignments = RoleAssignment.objects.filter(role__in=roles, union_id__in=ancestor_ids, user__is_active=True)
    if organisation is not None:
        assignments = assignments.filter(organisation=organisation)
    return [a.user for a in assignments.select_related("user")]


def household_submit(*, actor: User, household_id: int, request=None) -> Household:
    """The grassroots union sends the application into review (草稿/退回/返困 → 已提交)."""
    with transaction.atomic():
        household, step = _begin(actor, household_id, "submit")
        household.submitted_by, household.submitted_at = actor, timezone.now()
        household.first_reviewer = household.second_reviewer = None
        return _finish(
            actor=actor, household=household, step=step,
            fields=["submitted_by", "submitted_at", "first_reviewer", "second_reviewer"],
            decision=Opinion.Decision.SUBMIT, request=request,
            notify=staff_over(household, Role.GRASSROOTS_STAFF, Role.CASEWORKER), notify_text=_("待初审走访"),
        )  # fmt: skip


def household_submit_online(*, worker, household_id: int, request=None) -> Household:
    """The worker sends their 网上申请 in, or back in after a return (草稿/退回补正 → 已提交).

    ``worker`` is the family channel's signed-in account (``is_worker``): the review machine lets it
    take ``worker_submit`` on its own file only. No staff member becomes the submitter, so the union's
    staff — its only 干事 too — may give the 初审 (``not_the_entrant``). The history records it
    as the worker's (an audit event without a staff actor, ``by`` the worker's masked phone).
    """
    with transaction.atomic():
        household, step = _begin(worker, household_id, "worker_submit")
        old = household.status
        household.status = step.target_of(old)
        household.submitted_by, household.submitted_at = None, timezone.now()
        household.first_reviewer = household.second_reviewer = None
        household.version += 1
        household.save(update_fields=["status", "submitted_by", "submitted_at", "first_reviewer", "second_reviewer",
                                      "version", "updated_at"])  # fmt: skip
        audit_record(actor=None, verb="review.worker_submit", target=household, request=request,
                     changes={"status": (old, household.status), "by": (None, worker.masked_phone),
                              "version": (household.version - 1, household.version)})  # fmt: skip
        _tell_family(household, "submit", "")
        notify_staff(staff_over(household, Role.GRASSROOTS_STAFF, Role.CASEWORKER), household,
                _("网上申请待初审走访") if old == Status.DRAFT else _("网上申请已补正，待初审"))  # fmt: skip
        return household


def _check_photos(photos) -> None:
    for photo in photos:
        if photo.size > MAX_PHOTO_BYTES:
            raise ActionRefused(_("照片“%(n)s”超过 10 MB。") % {"n": photo.name})
        head = photo.read(8)
        photo.seek(0)
        if not (head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n")):
            raise ActionRefused(_("照片“%(n)s”不是 JPG 或 PNG 图片。") % {"n": photo.name})


def visit_record(*, actor: User, household_id: int, step: str, visit: VisitInput, request=None) -> HomeVisit:
    """Log a home visit for the step it serves. A 初审 visit starts the 初审 (已提交 → 初审中).

    Who went along is checked against the lists the visit form offered (the same declaration).
    """
    if step not in VISIT_STEPS:
        raise ActionRefused(_("请选择走访环节。"))
    if visit.visited_on > timezone.localdate():
        raise ActionRefused(_("走访日期不能晚于今天。"))
    _check_photos(visit.photos)
    with transaction.atomic():
        household, transition = _begin(actor, household_id, VISIT_STEPS[step].action)
        refusal = visit_participants_refusal(household, step, actor, visit.visitors, visit.observer)
        if refusal:
            raise ActionRefused(refusal)
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
        _finish(actor=actor, household=household, step=transition, fields=[], request=request)
        return record


DECISIONS = {"approve", "return", "reject"}


def first_review_decide(*, actor: User, household_id: int, decision: str, text: str, request=None) -> Household:
    """The grassroots union's 初审: approve (to 复审), return for correction, or reject."""
    if decision not in DECISIONS:
        raise ActionRefused(_("请选择初审结论。"))
    with transaction.atomic():
        household, step = _begin(actor, household_id, f"first_{decision}")
        if decision != "approve":
            text = _require_text(text, _("退回或不予受理的原因"))
        household.first_reviewer = actor
        notify = staff_over(household, Role.CENTRE_STAFF) if decision == "approve" else [household.submitted_by]
        return _finish(
            actor=actor, household=household, step=step, fields=["first_reviewer"], review_step=Step.FIRST,
            decision=decision, text=text, request=request, notify=[u for u in notify if u],
            notify_text=_("初审通过，待派单复审") if decision == "approve" else ACTION_LABELS[step.name],
        )  # fmt: skip


def second_review_assign(
    *, actor: User, household_id: int, organisation: SocialOrganisation, due: date | None = None, request=None
) -> Household:
    """The centre hands the 复审 to a third-party organisation, with a due date."""
    due = due or timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
    if due < timezone.localdate():
        raise ActionRefused(_("复审期限不能早于今天。"))
    if not organisation.is_active:
        raise ActionRefused(_("该社会组织已停用。"))
    with transaction.atomic():
        household, step = _begin(actor, household_id, "assign")
        if not organisations_for_assignment(household).filter(pk=organisation.pk).exists():
            raise ActionRefused(_("该社会组织未与本案所属工会的上级签约。"))
        household.second_review_org, household.second_review_due = organisation, due
        return _finish(
            actor=actor, household=household, step=step,
            fields=["second_review_org", "second_review_due"], review_step=Step.SECOND,
            decision=Opinion.Decision.ASSIGN,
            text=_("派给 %(o)s，期限 %(d)s") % {"o": organisation.name, "d": due}, request=request,
            notify=staff_over(household, Role.THIRD_PARTY_REVIEWER, organisation=organisation),
            notify_text=_("待复审，期限 %(d)s") % {"d": due},
        )  # fmt: skip


def second_review_decide(*, actor: User, household_id: int, decision: str, text: str, request=None) -> Household:
    """The third party's 复审: approve (to 公示), return for correction, or reject."""
    if decision not in DECISIONS:
        raise ActionRefused(_("请选择复审结论。"))
    with transaction.atomic():
        household, step = _begin(actor, household_id, f"second_{decision}")
        if decision != "approve":
            text = _require_text(text, _("退回或不予受理的原因"))
        household.second_reviewer = actor
        fields = ["second_reviewer"]
        notify = [household.submitted_by] if household.submitted_by else []
        if decision == "approve":
            household.notice_start, household.notice_end = working_day_span(
                timezone.localdate(), settings.PUBLIC_NOTICE_WORKING_DAYS
            )
            fields += ["notice_start", "notice_end"]
            notify = staff_over(household, Role.CENTRE_STAFF)
        return _finish(
            actor=actor, household=household, step=step, fields=fields, review_step=Step.SECOND,
            decision=decision, text=text, request=request, notify=notify,
        )  # fmt: skip


def notice_objection(*, actor: User, household_id: int, text: str, request=None, from_ticket: bool = False
                     ) -> Household:  # fmt: skip
    """An objection during 公示 sends the case back to the same third party's 复审.

    It is kept as a ticket of kind 公示异议 (closed: its outcome is the return to 复审), unless it is
    the outcome of a ticket already (an upheld 举报).
    """
    with transaction.atomic():
        household, step = _begin(actor, household_id, "objection")
        text = _require_text(text, _("异议内容"))
        if not from_ticket:
            ticket_record(kind=TicketKind.OBJECTION, union=household.union, household=household, text=text,
                          recorded_by=actor, status=TicketStatus.UPHELD, closed_at=timezone.now(), closed_by=actor,
                          outcome=_("退回复审"))  # fmt: skip
        household.notice_start = household.notice_end = None
        household.second_review_due = timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
        return _finish(
            actor=actor, household=household, step=step,
            fields=["notice_start", "notice_end", "second_review_due"], review_step=Step.SECOND,
            decision=Opinion.Decision.OBJECTION, text=text, request=request,
            notify=staff_over(household, Role.THIRD_PARTY_REVIEWER, organisation=household.second_review_org),
            notify_text=_("公示有异议，退回复审"),
        )  # fmt: skip


def household_appeal_reopen(
    *, actor: User, household_id: int, text: str, action: str | None = None, request=None
) -> Household:
    """An upheld 申诉 against a rejection: the step that rejected it is taken again (初审 or 复审).

    ``action`` (appeal_first / appeal_second) is the one the caller means; by default the one of the
    step that rejected the file.
    """
    with transaction.atomic():
        household = _lock(household_id)
        name = action or ("appeal_second" if last_rejection_step(household) == Step.SECOND else "appeal_first")
        if name not in ("appeal_first", "appeal_second"):
            raise ActionRefused(_("请选择申诉重新审核的环节。"))
        step = review_workflow.check(household, actor, name)
        text = _require_text(text, _("申诉处理意见"))
        again = Step.FIRST if step.name == "appeal_first" else Step.SECOND
        fields = []
        if again == Step.SECOND:
            household.second_review_due = timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)
            fields.append("second_review_due")
        if again == Step.FIRST:
            staff = staff_over(household, Role.GRASSROOTS_STAFF)
        else:
            staff = staff_over(household, Role.THIRD_PARTY_REVIEWER, organisation=household.second_review_org)
        return _finish(
            actor=actor, household=household, step=step, fields=fields, review_step=again,
            decision=Opinion.Decision.APPEAL, text=text, request=request, notify=staff,
            notify_text=_("申诉成立，重新%(s)s") % {"s": Step(again).label},
        )  # fmt: skip


def household_file(*, actor: User, household_id: int, request=None) -> Household:
    """建档 after the 公示 has ended: the file number, and from now on the household is in programs."""
    with transaction.atomic():
        household, step = _begin(actor, household_id, "file")
        today = timezone.localdate()
        if not household.file_number:
            household.file_number = f"{_root_code(household.union)}{today:%Y}{household.pk:07d}"
        household.filed_at = today
        household.next_review_due = add_months(today, 12)
        # 意外致困 is filed as a 临时档案: confirmed (转正) or closed (注销) by its deadline.
        sudden = household.tier == Tier.SUDDEN
        household.temporary_until = add_months(today, settings.TEMPORARY_FILE_MONTHS) if sudden else None
        household.confirmed_at = None
        return _finish(
            actor=actor, household=household, step=step,
            fields=["file_number", "filed_at", "next_review_due", "temporary_until", "confirmed_at"],
            decision=Opinion.Decision.FILE, request=request,
            notify=[household.submitted_by] if household.submitted_by else [], notify_text=_("已建档"),
        )  # fmt: skip


def _root_code(union: Union) -> str:
    root_id = union.root_id
    code = Union.objects.filter(pk=root_id).values_list("code", flat=True).first() or "GH"
    return "".join(ch for ch in code if ch.isalnum())[:6]


def yearly_review_continue(*, actor: User, household_id: int, text: str = "", request=None) -> Household:
    """年度复核: the household stays in assistance; due again 12 months from today."""
    with transaction.atomic():
        household, step = _begin(actor, household_id, "yearly_continue")
        household.next_review_due = add_months(timezone.localdate(), 12)
        return _finish(
            actor=actor, household=household, step=step, fields=["next_review_due"], review_step=Step.YEARLY,
            decision=Opinion.Decision.CONTINUE, text=text, request=request,
        )  # fmt: skip


def monthly_income_record(
    *, actor: User, household_id: int, month: date, per_capita_income: Decimal, request=None
) -> MonthlyIncome:
    """Record one month's per-capita income of a filed household (for the 脱困 rule)."""
    if per_capita_income < 0:
        raise ActionRefused(_("收入不能为负数。"))
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ActionRefused(_("不能记录未来月份的收入。"))
    with transaction.atomic():
        household, _step = _begin(actor, household_id, "monthly_income")
        if household.monthly_incomes.filter(month=month).exists():
            raise ActionRefused(_("%(m)s 的收入已经记录过。") % {"m": f"{month:%Y-%m}"})
        record = MonthlyIncome.objects.create(
            household=household, month=month, per_capita_income=per_capita_income, recorded_by=actor
        )
        audit_record(actor=actor, verb="review.monthly_income", target=household,
                     changes={f"income.{month:%Y-%m}": (None, str(per_capita_income))}, request=request)  # fmt: skip
        return record


def household_exit(*, actor: User, household_id: int, kind: str, reason: str = "", request=None) -> Household:
    """退出帮扶: 脱困 when the income rule holds; 解困 with a reason. Follow-ups at 3 and 12 months."""
    if kind not in ExitKind.values:
        raise ActionRefused(_("请选择退出方式。"))
    with transaction.atomic():
        household, step = _begin(actor, household_id, "exit")
        if kind == ExitKind.OUT_OF_HARDSHIP:
            check = exit_eligibility(household=household)
            if not check.eligible:
                raise ActionRefused(_("不符合脱困条件：%(w)s") % {"w": check.explanation}, code="not_eligible")
            reason = reason or check.explanation
        else:
            reason = _require_text(reason, _("解困原因"))
        household.exit_kind, household.exit_reason, household.exited_at = kind, reason[:200], timezone.localdate()
        return _finish(
            actor=actor, household=household, step=step,
            fields=["exit_kind", "exit_reason", "exited_at"], decision=Opinion.Decision.EXIT,
            text=f"{ExitKind(kind).label}：{reason}", request=request,
        )  # fmt: skip


def household_reopen(*, actor: User, household_id: int, text: str, request=None) -> Household:
    """返困: the same file re-opens (history kept, never a second file) and goes through review again."""
    with transaction.atomic():
        household, step = _begin(actor, household_id, "reopen")
        text = _require_text(text, _("返困原因"))
        household.exit_kind, household.exit_reason, household.exited_at = "", "", None
        household.notice_start = household.notice_end = None
        household.second_review_org, household.second_review_due = None, None
        return _finish(
            actor=actor, household=household, step=step,
            fields=["exit_kind", "exit_reason", "exited_at", "notice_start", "notice_end", "second_review_org",
                    "second_review_due"],
            decision=Opinion.Decision.REOPEN, text=text, request=request,
        )  # fmt: skip


def household_confirm(*, actor: User, household_id: int, text: str = "", request=None) -> Household:
    """临时档案转正: the 意外致困 household stays in assistance as a regular file (no deadline any more)."""
    with transaction.atomic():
        household, step = _begin(actor, household_id, "confirm")
        household.confirmed_at = timezone.localdate()
        return _finish(
            actor=actor, household=household, step=step, fields=["confirmed_at"],
            decision=Opinion.Decision.CONFIRM, text=text, request=request,
        )  # fmt: skip


def household_close(*, actor: User, household_id: int, reason: str, note: str = "", request=None) -> Household:
    """注销: the file leaves assistance for 注销库 (kept and searchable; its members are free to apply anew).

    The retention clock starts today: the file is listed for destruction ``RETENTION_YEARS`` later.
    """
    if reason not in CloseReason.values:
        raise ActionRefused(_("请选择注销原因。"))
    note = (note or "").strip()
    if reason == CloseReason.OTHER and not note:
        raise ActionRefused(_("请填写注销说明。"), code="text_missing")
    with transaction.atomic():
        household, step = _begin(actor, household_id, "close")
        household.closed_at, household.close_reason, household.close_note = timezone.localdate(), reason, note[:200]
        text = f"{CloseReason(reason).label}：{note}" if note else str(CloseReason(reason).label)
        return _finish(
            actor=actor, household=household, step=step, fields=["closed_at", "close_reason", "close_note"],
            decision=Opinion.Decision.CLOSE, text=text, request=request,
        )  # fmt: skip
