"""「我的工作」 items of the review chain: one per queue the role sees, with its count and nearest due date."""

from django.db.models import Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardship.models import Role
from hardship.work import WorkItem, WorkList, WorkRow, register, register_list

from .archive import selectors as archive
from .archive.models import DestructionStatus
from .changes.selectors import OPEN, change_queue
from .changes.workflow import APPROVERS, PROPOSERS
from .review import selectors
from .tickets.selectors import my_open_tickets
from .tickets.workflow import ticket_workflow

# The roles with a review queue (in the order of Role): their 「我的工作」 and the menu's 审核待办.
QUEUE_ROLES = tuple(r for r in Role.values if any(r in queue.seen_by for queue in selectors.QUEUES.values()))


def _queue_items(role: str):
    def provider(user) -> list[WorkItem]:
        items = []
        today = timezone.localdate()
        for name, queue in selectors.QUEUES.items():
            if role not in queue.seen_by:
                continue
            cases = selectors.review_queue(user=user, queue=name)
            due = queue.due_from(cases.aggregate(d=Min(queue.due_field))["d"]) if queue.due_field else None
            items.append(
                WorkItem(
                    label=queue.label,
                    count=cases.count(),
                    url=f"{reverse('cases:review_queue')}?queue={name}",
                    due=due,
                    overdue=bool(due and due < today and queue.deadline),
                )  # fmt: skip
            )
        return items

    provider.__name__ = f"review_queue_items_{role}"
    return provider


def _pending_changes(user) -> list[WorkItem]:
    """The centre's 变更申请 waiting for a decision (the workflow's approve, as a queryset)."""
    pending = change_queue(user=user, which="pending")
    return [WorkItem(label=_("待审批的变更申请"), count=pending.count(), url=reverse("cases:change_queue"))]


def _my_open_changes(user) -> list[WorkItem]:
    """The 变更申请 this user proposed that are not decided yet (drafts to submit, requests waiting)."""
    mine = change_queue(user=user, which="mine").filter(status__in=OPEN)
    return [WorkItem(label=_("我提出的变更申请（未审批）"), count=mine.count(),
                     url=f"{reverse('cases:change_queue')}?tab=mine")]  # fmt: skip


def _temporary_due(user) -> list[WorkItem]:
    """临时档案 past or near their deadline (转正 or 注销 is due)."""
    due = archive.temporary_queue(user=user)
    first = due.aggregate(d=Min("temporary_until"))["d"]
    today = timezone.localdate()
    return [WorkItem(label=_("临时档案待转正或注销"), count=due.count(), url=reverse("cases:archive_temporary"),
                     due=first, overdue=bool(first and first < today))]  # fmt: skip


def _destruction_waiting(user) -> list[WorkItem]:
    """Destruction lists waiting for a centre staff member: to submit (drafted) or to approve (submitted)."""
    waiting = (
        archive.destruction_lists(user=user)
        .filter(status__in=(DestructionStatus.DRAFTED, DestructionStatus.SUBMITTED))
        .exclude(submitted_by=user)
    )
    return [WorkItem(label=_("待处理的档案销毁清单"), count=waiting.count(), url=reverse("cases:destruction_list"))]


MY_TICKETS_SHOWN = 10


def _my_tickets(user) -> WorkList:
    """申诉/投诉/举报 waiting on this user (theirs or not yet assigned), by due date (working days)."""
    tickets = my_open_tickets(user=user)
    today = timezone.localdate()
    rows = [
        WorkRow(
            label=f"{t.get_kind_display()} {t.code}" + (f" · {t.household.head_name}" if t.household else ""),
            url=reverse("cases:ticket_detail", args=[t.pk]),
            due=t.due_on,
            overdue=t.due_on < today,
            note="" if t.assigned_to_id else str(_("未分派")),
        )
        for t in tickets[:MY_TICKETS_SHOWN]
    ]  # fmt: skip
    return WorkList(name="my-tickets", title=str(_("我的申诉·投诉·举报")), rows=rows,
                    count=len(rows) if len(rows) < MY_TICKETS_SHOWN else tickets.count(),
                    url=f"{reverse('cases:ticket_queue')}?tab=open",
                    empty=str(_("没有待您办理的工单。")))  # fmt: skip


def register_all() -> None:
    for role in QUEUE_ROLES:
        register(role, _queue_items(role))
    for role in APPROVERS:
        register(role, _pending_changes)
    for role in PROPOSERS:
        register(role, _my_open_changes)
    register(Role.CENTRE_STAFF, _temporary_due)
    register(Role.CENTRE_STAFF, _destruction_waiting)
    # Whoever the ticket machine lets act on a ticket (cases/tickets/workflow.py), no one else.
    for role in ticket_workflow.roles:
        register_list(role, _my_tickets)
