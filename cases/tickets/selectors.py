"""Reads of tickets: the centre's queue, one ticket with what this user may do, the submitter's view.

Centre staff and discipline observers read the tickets of their unions and those below; what a
user may do is the declaration's (cases/tickets/workflow.py).
"""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hardship.access import scope_queryset
from hardship.models import Role, User
from hardship.workflow import Action

from .models import CLOSED_STATUSES, Ticket
from .workflow import READERS, ticket_workflow

TABS = ("open", "mine", "overdue", "closed")


def ticket_queryset(*, user) -> QuerySet[Ticket]:
    return scope_queryset(Ticket.objects.all(), user, roles=READERS).select_related("union", "household", "assigned_to")


def ticket_for_user(*, user, pk: int) -> tuple[Ticket, list[Action]]:
    ticket = ticket_queryset(user=user).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket, ticket_workflow.available_actions(ticket, user)


def ticket_queue(*, user, tab: str = "open") -> QuerySet[Ticket]:
    tickets = ticket_queryset(user=user)
    if tab == "closed":
        return tickets.filter(status__in=CLOSED_STATUSES).order_by("-closed_at", "-id")
    tickets = tickets.exclude(status__in=CLOSED_STATUSES)
    if tab == "mine":
        tickets = tickets.filter(assigned_to=user)
    elif tab == "overdue":
        tickets = tickets.filter(due_on__lt=timezone.localdate())
    return tickets.order_by("due_on", "id")


def my_open_tickets(*, user) -> QuerySet[Ticket]:
    """The open tickets waiting on ``user``: those they may act on (the machine's own question) that are
    assigned to them or to no one yet, nearest due date first."""
    actionable = ticket_workflow.q_for(user, *(t.name for t in ticket_workflow.transitions))
    return (
        Ticket.objects.filter(actionable)
        .filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
        .select_related("household", "union")
        .order_by("due_on", "id")
    )


def ticket_replies(*, ticket: Ticket, public_only: bool):
    replies = ticket.replies.select_related("author")
    return replies.filter(public=True) if public_only else replies


def ticket_by_code(*, code: str) -> Ticket:
    """The submitter's page: found by its reference code only (no sign-in)."""
    ticket = Ticket.objects.filter(code=(code or "").strip().upper()[:20]).select_related("union").first()
    if ticket is None:
        raise Http404
    return ticket


def assignable_staff(*, ticket: Ticket) -> QuerySet[User]:
    """Centre staff of the ticket's union or a union above it."""
    return (
        User.objects.filter(is_active=True)
        .filter(Q(role_assignments__role=Role.CENTRE_STAFF, role_assignments__union_id__in=ticket.union.ancestor_ids))
        .distinct()
        .order_by("full_name", "pk")
    )
