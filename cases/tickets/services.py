"""申诉 / 投诉 / 举报: submit (public or recorded by staff), assign, reply, close with the outcome.

Each close is recorded on the household's history when the ticket names one; an upheld appeal
against a rejection re-opens the step (cases.review.services.household_appeal_reopen), an upheld
tip-off during a running 公示 is the 公示 objection (back to 复审). Public submissions are limited
per address and hour (settings.PUBLIC_TICKETS_PER_IP_PER_HOUR).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.models import Role, Union, User
from hardship.notify import notify_family
from hardship.services import audit_record
from hardship.workflow import ActionRefused, holds_role_over

from ..models import Household, Opinion, Status
from ..review import services as review
from .models import AppealSubject, Ticket, TicketKind, TicketReply, TicketStatus
from .records import ticket_record
from .workflow import ticket_workflow

MAX_TEXT = 2000
PUBLIC_KINDS = (TicketKind.COMPLAINT, TicketKind.TIP_OFF)


def _decision_day(household: Household, subject: str):
    """The day of the decision an appeal is against (the window runs from it)."""
    if subject == AppealSubject.REJECTION:
        opinion = household.opinions.filter(decision=Opinion.Decision.REJECT).order_by("-id").first()
        return timezone.localdate(opinion.created_at) if opinion else None
    if subject == AppealSubject.EXIT:
        return household.exited_at
    return None  # an amount: appealed while the file is in assistance


APPEAL_STATES = {AppealSubject.REJECTION: Status.REJECTED, AppealSubject.EXIT: Status.EXITED,
                 AppealSubject.AMOUNT: Status.FILED}  # fmt: skip


def _appeal_refusal(household: Household, subject: str) -> str | None:
    if subject not in APPEAL_STATES:
        return _("请选择申诉事项。")
    if household.status != APPEAL_STATES[subject]:
        return _("该家庭当前状态为“%(s)s”，不能就“%(w)s”提出申诉。") % {
            "s": household.get_status_display(), "w": AppealSubject(subject).label}  # fmt: skip
    day = _decision_day(household, subject)
    if day is not None and timezone.localdate() > day + timedelta(days=settings.APPEAL_WINDOW_DAYS):
        return _("申诉期限为决定之日起 %(n)d 日内（%(d)s 作出决定），已超过期限。") % {
            "n": settings.APPEAL_WINDOW_DAYS, "d": day}  # fmt: skip
    if household.tickets.filter(kind=TicketKind.APPEAL, subject=subject,
                                status__in=(TicketStatus.OPEN, TicketStatus.IN_PROGRESS)).exists():  # fmt: skip
        return _("该事项已有一份申诉正在办理，请等待答复。")
    return None


def ticket_submit(
    *, kind: str, text: str, household_id: int | None = None, subject: str = "", union: Union | None = None,
    name: str = "", phone: str = "", anonymous: bool = False, actor: User | None = None, ip: str | None = None,
    worker_household_id: int | None = None, request=None,
) -> Ticket:  # fmt: skip
    """A new ticket, due in working days.

    ``actor``: staff recording it; ``worker_household_id``: a signed-in worker (the family channel),
    about their own household only; neither: a public page (limited per address).
    """
    if worker_household_id is not None:
        if household_id not in (None, worker_household_id):
            raise ActionRefused(_("未找到该家庭。"))
        household_id = worker_household_id
    public = actor is None and worker_household_id is None
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("请填写内容。"))
    if len(text) > MAX_TEXT:
        raise ActionRefused(_("内容不能超过 %(n)d 字。") % {"n": MAX_TEXT})
    if kind not in TicketKind.values or kind == TicketKind.OBJECTION:
        raise ActionRefused(_("请选择类别。"))
    if public and kind not in PUBLIC_KINDS:
        raise ActionRefused(_("申诉请登录后提交，或到工会当面提出。"))
    anonymous = anonymous and kind == TicketKind.TIP_OFF
    if anonymous:
        name = phone = ""
    elif public and not (name.strip() and phone.strip()):
        raise ActionRefused(_("请留下姓名和联系电话，以便答复您（举报可以匿名）。"))
    with transaction.atomic():
        if public:
            _limit(ip)
        household = None
        if household_id is not None:
            household = Household.objects.select_for_update(of=("self",)).select_related("union").filter(
                pk=household_id).first()  # fmt: skip
            if household is None:
                raise ActionRefused(_("未找到该家庭。"))
        if kind == TicketKind.TIP_OFF and (household is None or household.status != Status.PUBLIC_NOTICE):
            raise ActionRefused(_("未找到正在公示的该案件，请核对公示编号。"))
        if kind == TicketKind.APPEAL:
            if household is None:
                raise ActionRefused(_("请选择申诉的家庭档案。"))
            refusal = _appeal_refusal(household, subject)
            if refusal:
                raise ActionRefused(refusal)
        else:
            subject = ""
        where = household.union if household else union
        if where is None:
            raise ActionRefused(_("请选择受理的工会。"))
        ticket = ticket_record(
            kind=kind, subject=subject, union=where, household=household, text=text, anonymous=anonymous,
            submitter_name=name.strip()[:50], submitter_phone=phone.strip()[:20], recorded_by=actor,
            ip_address=ip if public else None,
        )  # fmt: skip
        _record(actor, ticket, "ticket.submit", {"ticket": (None, _describe(ticket))}, request)
        review.notify_staff(
            review.staff_over(household, Role.CENTRE_STAFF) if household else _centre_over(where),
            household,
            _("新%(k)s，%(d)s 前办结") % {"k": ticket.get_kind_display(), "d": ticket.due_on},
            url=_url(ticket),
        )
    return ticket


def _centre_over(union: Union) -> list[User]:
    return list(User.objects.filter(is_active=True, role_assignments__role=Role.CENTRE_STAFF,
                                    role_assignments__union_id__in=union.ancestor_ids).distinct())  # fmt: skip


def _url(ticket: Ticket) -> str:
    return reverse("cases:ticket_detail", args=[ticket.pk])


def _limit(ip: str | None) -> None:
    since = timezone.now() - timedelta(hours=1)
    if Ticket.objects.filter(ip_address=ip, created_at__gte=since).count() >= settings.PUBLIC_TICKETS_PER_IP_PER_HOUR:
        raise ActionRefused(_("提交过于频繁，请一小时后再试，或拨打工会服务热线 12351。"), code="rate_limited")


def _describe(ticket: Ticket) -> str:
    return f"{ticket.get_kind_display()} {ticket.code}" + (
        f"（{ticket.get_subject_display()}）" if ticket.subject else ""
    )


def _record(actor, ticket: Ticket, verb: str, changes: dict, request) -> None:
    """On the household's history when the ticket names one, else on the ticket."""
    target = ticket.household if ticket.household_id else ticket
    audit_record(actor=actor, verb=verb, target=target, union=ticket.union, changes=changes, request=request)


def _begin(actor: User, ticket_id: int, action: str) -> tuple[Ticket, object]:
    ticket = Ticket.objects.select_for_update(of=("self",)).select_related("union", "household").get(pk=ticket_id)
    return ticket, ticket_workflow.check(ticket, actor, action)


def _move(ticket: Ticket, step, fields: list[str]) -> None:
    ticket.status = step.target_of(ticket.status)
    ticket.save(update_fields=["status", *fields])


def ticket_assign(*, actor: User, ticket_id: int, assignee: User, request=None) -> Ticket:
    """The centre hands the ticket to one of its staff (who then sees it under 「我承办的」)."""
    with transaction.atomic():
        ticket, step = _begin(actor, ticket_id, "assign")
        if not assignee.is_active or not holds_role_over(assignee, (Role.CENTRE_STAFF,), ticket.union):
            raise ActionRefused(_("承办人必须是该工会或上级工会的帮扶中心工作人员。"))
        old = ticket.assigned_to.display_name if ticket.assigned_to_id else None
        ticket.assigned_to = assignee
        _move(ticket, step, ["assigned_to"])
        changes = {"ticket": (None, ticket.code), "assigned_to": (old, assignee.display_name)}
        _record(actor, ticket, "ticket.assign", changes, request)
        text = _("请承办%(k)s %(c)s") % {"k": ticket.get_kind_display(), "c": ticket.code}
        review.notify_staff([assignee], ticket.household, text, exclude=actor, url=_url(ticket))
    return ticket


def ticket_reply(*, actor: User, ticket_id: int, text: str, public: bool = True, request=None) -> TicketReply:
    """A reply the submitter reads (or a staff note when not ``public``)."""
    text = (text or "").strip()
    if not text:
        raise ActionRefused(_("请填写答复内容。"))
    with transaction.atomic():
        ticket, step = _begin(actor, ticket_id, "reply")
        reply = TicketReply.objects.create(ticket=ticket, author=actor, text=text[:1000], public=public)
        _move(ticket, step, [])
        _record(actor, ticket, "ticket.reply", {"ticket": (None, ticket.code)}, request)
        if public and ticket.kind == TicketKind.APPEAL:
            context = {"kind": ticket.get_kind_display(), "code": ticket.code, "text": text[:60]}
            notify_family(household_id=ticket.household_id, event="ticket_reply", key=f"ticket-reply:{reply.pk}",
                          context=context)  # fmt: skip
    return reply


def ticket_close(*, actor: User, ticket_id: int, upheld: bool, outcome: str, request=None) -> Ticket:
    """办结 with the outcome the submitter reads; recorded on the household's history when linked.

    Upheld: an appeal against a rejection re-opens the step that rejected it; a tip-off while the
    公示 runs is the 公示 objection (back to the same third party's 复审).
    """
    outcome = (outcome or "").strip()
    if not outcome:
        raise ActionRefused(_("请填写办理结果。"))
    with transaction.atomic():
        ticket, step = _begin(actor, ticket_id, "uphold" if upheld else "dismiss")
        effect = ""
        if upheld and ticket.kind == TicketKind.APPEAL and ticket.subject == AppealSubject.REJECTION:
            household = review.household_appeal_reopen(actor=actor, household_id=ticket.household_id,
                                                        text=outcome, request=request)  # fmt: skip
            effect = household.status
        elif (
            upheld and ticket.kind == TicketKind.TIP_OFF
            and review.review_workflow.allowed(ticket.household, actor, "objection")
        ):  # fmt: skip
            review.notice_objection(actor=actor, household_id=ticket.household_id, text=outcome, request=request,
                                    from_ticket=True)  # fmt: skip
            effect = Status.SECOND_REVIEW
        ticket.outcome, ticket.closed_at, ticket.closed_by = outcome[:1000], timezone.now(), actor
        _move(ticket, step, ["outcome", "closed_at", "closed_by"])
        TicketReply.objects.create(ticket=ticket, author=actor, text=outcome[:1000], public=True)
        changes = {
            "ticket": (None, _describe(ticket)),
            "outcome": (None, f"{ticket.get_status_display()}：{outcome}"[:200]),
        }
        if effect:
            changes["status"] = (None, effect)
        _record(actor, ticket, "ticket.upheld" if upheld else "ticket.dismissed", changes, request)
        if ticket.kind == TicketKind.APPEAL:
            notify_family(household_id=ticket.household_id, event="ticket_reply", key=f"ticket-close:{ticket.pk}",
                          context={"kind": ticket.get_kind_display(), "code": ticket.code,
                                   "text": f"{ticket.get_status_display()}，{outcome[:50]}"})  # fmt: skip
    return ticket
