"""What 销毁 erases in the household files (cases): registered with ``hardship.erasure`` by ``CasesConfig``.

The file itself, its members, stored files, visits, opinions, changes, 信息比对 rows, family notices,
support records and tickets: each personal column is blanked (a free text about the family, such as an
opinion or a visit's notes, as a whole) or has the personal values scrubbed out of it (a recorded change).
"""

from hardship.erasure import ERASED, rows_erase

from ..changes.models import ChangeRequest
from ..crosscheck.models import CheckRequest, Finding, Flag, RequestPerson
from ..models import Attachment, Household, Member, VisitPhoto
from ..notices.models import FamilyNotification, SmsDelivery
from ..review.models import HomeVisit, Opinion
from ..support.models import MutualCoverClaim, NonCashHelp
from ..tickets.models import Ticket, TicketReply

# The file's columns that identify the family (blanked); its number, union, dates and tier stay.
HOUSEHOLD_BLANK = ("phone", "employer", "hukou_location", "address", "sudden_event_note", "bank_name", "bank_branch",
                   "bank_card", "exit_reason", "close_note")  # fmt: skip


def household_values(household: Household) -> list[str]:
    members = Member.objects.filter(household=household).values_list("name", "id_number")
    tickets = Ticket.objects.filter(household=household).values_list("submitter_name", "submitter_phone")
    return [getattr(household, name) for name in ("head_name", "head_id_number", *HOUSEHOLD_BLANK)] + [
        value for row in (*members, *tickets) for value in row
    ]


def household_rows_erase(household: Household, values: list[str]) -> None:
    for name in HOUSEHOLD_BLANK:
        setattr(household, name, "")
    household.head_name, household.head_id_number = ERASED, ""
    household.save(update_fields=["head_name", "head_id_number", "updated_at", *HOUSEHOLD_BLANK])
    Member.objects.filter(household=household).update(name=ERASED, id_number="", is_live=False)
    for stored in (*Attachment.objects.filter(household=household), *VisitPhoto.objects.filter(
            visit__household=household)):  # fmt: skip
        if stored.file:
            stored.file.delete(save=False)
    Attachment.objects.filter(household=household).update(file="", original_name=ERASED)
    VisitPhoto.objects.filter(visit__household=household).update(file="")
    visits = HomeVisit.objects.filter(household=household)
    rows_erase(visits, values=values, blank={"living_conditions": ERASED, "findings": ERASED},
               scrub=["verified_incomes"])  # fmt: skip
    Opinion.objects.filter(household=household).exclude(text="").update(text=ERASED)
    changes = ChangeRequest.objects.filter(household=household)
    rows_erase(changes, values=values, scrub=["before", "after", "note", "decision_note"])
    changes.exclude(note="").update(note=ERASED)
    changes.exclude(decision_note="").update(decision_note=ERASED)
    # 信息比对: the numbers sent (unique per request: each erased one gets a number that matches nobody).
    for person in RequestPerson.objects.filter(household=household).only("pk"):
        RequestPerson.objects.filter(pk=person.pk).update(id_number=f"E{person.pk}")
    rows_erase(CheckRequest.objects.filter(union__in=household.union.ancestor_ids), values=values, scrub=["excluded"])
    rows_erase(Finding.objects.filter(household=household), values=values, scrub=["data"])
    rows_erase(Flag.objects.filter(household=household), values=values, scrub=["detail", "reason", "data"])
    notices = FamilyNotification.objects.filter(household=household)
    SmsDelivery.objects.filter(notification__in=notices).update(phone="", last_error="")
    notices.update(phone="", text=ERASED)
    NonCashHelp.objects.filter(household=household).exclude(note="").update(note=ERASED)
    MutualCoverClaim.objects.filter(enrolment__member__household=household).update(hospital=ERASED, illness=ERASED,
                                                                                    note="")  # fmt: skip
    tickets = Ticket.objects.filter(household=household)
    TicketReply.objects.filter(ticket__in=tickets).update(text=ERASED)
    rows_erase(tickets, values=values, blank={"text": ERASED, "submitter_name": "", "submitter_phone": ""},
               scrub=["outcome"])  # fmt: skip
