"""追回's reads, scoped to the user; and the centre's list of filed households never helped."""

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.shortcuts import get_object_or_404

from cases.archive.selectors import CENTRE_READERS
from cases.models import Household, Status
from cases.selectors import household_queryset
from hardship.access import scope_queryset

from ..assistance.models import Grant, Payment
from ..assistance.selectors import MONEY_READERS
from .models import Receivable, ReceivableEntry, ReceivableStatus
from .services import PAID_OUT
from .workflow import raise_refusal, receivable_workflow, reversal_refusal


def receivable_queryset(*, user) -> QuerySet[Receivable]:
    """The receivables of the households the user's money roles cover (scoped by the household's union)."""
    rows = scope_queryset(Receivable.objects.all(), user, union_field="household__union", roles=MONEY_READERS)
    return rows.select_related("household", "union").annotate(owed=Sum("entries__amount"))


def receivable_list(*, user, status: str = "") -> QuerySet[Receivable]:
    rows = receivable_queryset(user=user)
    if status in ReceivableStatus.values:
        rows = rows.filter(status=status)
    return rows.order_by("-id")


def receivable_get(*, user, pk: int):
    """(the receivable, the actions this user sees on it): 404 outside the user's scope."""
    receivable = get_object_or_404(receivable_queryset(user=user), pk=pk)
    return receivable, receivable_workflow.available_actions(receivable, user)


def receivable_entries(*, receivable: Receivable, user) -> list[ReceivableEntry]:
    """The receivable's ledger in order; each entry says whether ``user`` may reverse it now
    (``reversible``), by the workflow's own rules."""
    entries = list(
        receivable.entries.select_related("created_by", "ledger_entry__account", "reverses")
        .annotate(is_reversed=Exists(ReceivableEntry.objects.filter(reverses=OuterRef("pk"))))
        .order_by("id")
    )
    may = receivable_workflow.allowed(receivable, user, "reverse_instalment")
    for entry in entries:
        entry.reversible = may and reversal_refusal(entry) is None
    return entries


def recoverable_payments(*, household) -> QuerySet[Payment]:
    """The household's payments that left the fund: the ones a receivable may name."""
    return (
        Payment.objects.filter(household=household, status__in=PAID_OUT)
        .select_related("entitlement__program", "batch__union")
        .order_by("-id")
    )


def can_raise(*, user, household) -> bool:
    return raise_refusal(household, user) is None


def never_helped(*, user) -> QuerySet[Household]:
    """Filed households that never received a payment nor have a grant approved (the national system's query)."""
    paid = Payment.objects.filter(household=OuterRef("pk"), status__in=PAID_OUT)
    granted = Grant.objects.filter(household=OuterRef("pk"), status__in=(Grant.Status.APPROVED, Grant.Status.SCHEDULED))
    filed = household_queryset(user=user, roles=CENTRE_READERS).filter(status=Status.FILED)
    return filed.filter(~Exists(paid), ~Exists(granted)).select_related("union").order_by("filed_at", "id")
