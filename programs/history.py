"""The payments of a household, as entries of its file's history (cases.history)."""

from django.db.models import F
from django.db.models.functions import Coalesce

from cases.history import HistoryEntry, register_source

from .assistance.models import Entitlement, Payment


def payment_entries(household, limit: int) -> list[HistoryEntry]:
    """Each payment attempt: program, period, amount and where it stands, dated by the bank's answer or
    the batch's approval."""
    if household.filed_at is None:
        return []  # never filed: never paid (and the file page of a draft asks nothing more)
    payments = (
        Payment.objects.filter(household=household)
        .select_related("entitlement__program", "batch")
        .annotate(moment=Coalesce("settled_at", "batch__decided_at", F("batch__created_at")))
        .order_by("-moment", "-id")[:limit]
    )
    imported = (
        Entitlement.objects.filter(household=household, register_import__isnull=False)
        .select_related("program", "register_import")
        .order_by("-id")[:limit]
    )
    entries = [
        HistoryEntry(
            verb="payment.imported",
            created_at=e.created_at,
            changes={"payment": [None, f"{e.program.name} {e.period_key} {e.amount} 元（{e.detail}）"]},
        )
        for e in imported
    ]
    return entries + [
        HistoryEntry(
            verb=f"payment.{p.status}",
            created_at=p.moment,
            changes={"payment": [None, f"{p.entitlement.program.name} {p.entitlement.period_key} {p.amount} 元"]},
        )
        for p in payments
    ]


def register_all() -> None:
    register_source("payments", payment_entries)
