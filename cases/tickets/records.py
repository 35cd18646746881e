"""Writing a ticket row: its reference code and its due date (shared by the tickets' services and the
review chain's 公示 objection, which records itself as a ticket)."""

import secrets

from django.conf import settings
from django.utils import timezone

from hardship.dates import add_working_days

from .models import Ticket

# No 0/O, 1/I/L: the code is read out over the phone.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_code() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(10))


def due_date(kind: str):
    """Due this many working days after today (the holiday calendar: hardship.dates)."""
    return add_working_days(timezone.localdate(), settings.TICKET_DUE_WORKING_DAYS[kind])


def ticket_record(**fields) -> Ticket:
    fields.setdefault("due_on", due_date(fields["kind"]))
    return Ticket.objects.create(code=new_code(), **fields)
