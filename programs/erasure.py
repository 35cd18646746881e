"""What 销毁 erases in programs: registered with ``hardship.erasure`` by ``ProgramsConfig``.

The payees frozen on payments (name, card) and a failed card on an entitlement are blanked; the
reasons written for grants and receivables, and the recovery ledger's memos, read 已销毁; the fund
ledger's memos about the household have its personal values scrubbed out (the erasure window lets the
append-only triggers pass exactly these columns). Amounts, dates, statuses and every row stay, so the
fund's balance and the returns are what they were.
"""

from django.db.models import Q

from hardship.erasure import ERASED, rows_erase

from .assistance.models import Entitlement, Grant, LedgerEntry, Payment
from .recovery.models import Receivable, ReceivableEntry
from .workstudy.models import Application, Placement


def household_values(household) -> list[str]:
    payments = Payment.objects.filter(household=household).values_list("payee_name", "card_number")
    cards = Entitlement.objects.filter(household=household).values_list("failed_card", flat=True)
    students = Application.objects.filter(household=household).values_list("name", "id_number", "phone")
    return [value for row in (*payments, *students) for value in row] + list(cards)


def household_rows_erase(household, values: list[str]) -> None:
    payments = Payment.objects.filter(household=household)
    rows_erase(payments, values=values, blank={"payee_name": ERASED, "card_number": ""}, scrub=["failure_reason"])
    rows_erase(Entitlement.objects.filter(household=household), values=values, blank={"failed_card": ""},
               scrub=["detail"])  # fmt: skip
    grants = Grant.objects.filter(household=household)
    grants.update(reason=ERASED)
    grants.exclude(decision_reason="").update(decision_reason=ERASED)
    receivables = Receivable.objects.filter(household=household)
    receivables.update(reason=ERASED)
    receivables.exclude(write_off_reason="").update(write_off_reason=ERASED)
    receivables.exclude(decision_note="").update(decision_note=ERASED)
    entries = ReceivableEntry.objects.filter(receivable__in=receivables)
    entries.update(memo=ERASED)
    ledger = LedgerEntry.objects.filter(Q(payment__in=payments) | Q(pk__in=entries.values("ledger_entry_id")))
    rows_erase(ledger, values=values, scrub=["memo"])
    students = Application.objects.filter(household=household)
    rows_erase(students, values=values, blank={"name": ERASED, "id_number": "", "phone": ""},
               scrub=["school_name", "major", "result_detail"])  # fmt: skip
    rows_erase(Placement.objects.filter(application__in=students), values=values, scrub=["evaluation"])
