"""The payments of a household, as entries of its file's history (cases.history)."""

from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce

from cases.history import HistoryEntry, register_source

from .assistance.models import Entitlement, Payment

# Every column an annotation, named and ordered alike on both sides: a UNION pairs columns by position.
_COLUMNS = ("h_verb", "h_moment", "h_program", "h_period", "h_amount", "h_detail", "h_id")


def payment_entries(household, limit: int) -> list[HistoryEntry]:
    """Each payment attempt — program, period, amount and where it stands, dated by the bank's answer or the
    batch's approval — and each past payment brought in from the old register, newest first.

    One query (the two kinds as one UNION ALL): the file page has a budget of 10 queries.
    """
    if household.filed_at is None:
        return []  # never filed: never paid (and the file page of a draft asks nothing more)
    text = CharField()
    payments = (
        Payment.objects.filter(household=household)
        .annotate(
            h_verb=F("status"),
            h_moment=Coalesce("settled_at", "batch__decided_at", F("batch__created_at")),
            h_program=F("entitlement__program__name"),
            h_period=F("entitlement__period_key"),
            h_amount=F("amount"),
            h_detail=Value("", output_field=text),
            h_id=F("id"),
        )
        .values_list(*_COLUMNS)
    )
    imported = (
        Entitlement.objects.filter(household=household, register_import__isnull=False)
        .annotate(
            h_verb=Value("imported", output_field=text),
            h_moment=F("created_at"),
            h_program=F("program__name"),
            h_period=F("period_key"),
            h_amount=F("amount"),
            h_detail=F("detail"),
            h_id=F("id"),
        )
        .values_list(*_COLUMNS)
    )
    entries = []
    newest = payments.union(imported, all=True).order_by("-h_moment", "-h_id")[:limit]
    for verb, moment, program, period, amount, detail, _row in newest:
        shown = f"{program} {period} {amount} 元" + (f"（{detail}）" if verb == "imported" else "")
        entries.append(HistoryEntry(verb=f"payment.{verb}", created_at=moment, changes={"payment": [None, shown]}))
    return entries


def register_all() -> None:
    register_source("payments", payment_entries)
