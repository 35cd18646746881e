"""The worker's side of tickets and notifications: their messages, their appeals and complaints with the
replies. Reads only the signed-in worker's household (``worker.household_id``); no other id is trusted."""

from django.http import Http404

from cases.notices.models import FamilyNotification
from cases.tickets.models import Ticket, TicketKind

from .models import WorkerAccount


def worker_notifications(worker: WorkerAccount):
    if worker.household_id is None:
        return FamilyNotification.objects.none()
    return FamilyNotification.objects.filter(household_id=worker.household_id).select_related("sms")[:100]


def worker_unread_count(worker: WorkerAccount) -> int:
    if worker.household_id is None:
        return 0
    return FamilyNotification.objects.filter(household_id=worker.household_id, read_at__isnull=True).count()


def worker_tickets(worker: WorkerAccount):
    """Their appeals and complaints (never a tip-off nor an objection about their own case)."""
    if worker.household_id is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(household_id=worker.household_id,
                                 kind__in=(TicketKind.APPEAL, TicketKind.COMPLAINT)).order_by("-id")  # fmt: skip


def worker_ticket(worker: WorkerAccount, pk: int) -> Ticket:
    ticket = worker_tickets(worker).filter(pk=pk).first()
    if ticket is None:
        raise Http404
    return ticket
