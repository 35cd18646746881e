"""Reads about money, scoped to the acting user's unions."""

from django.db.models import Count, QuerySet, Sum
from django.http import Http404

from hardship.access import scope_queryset, scope_unions
from hardship.models import Role

from .models import Batch, FundAccount, Grant, Payment, Program

MONEY_READERS = (Role.CENTRE_STAFF, Role.FUND_APPROVER, Role.DISCIPLINE_OBSERVER, Role.SYSTEM_ADMIN)


def program_list(*, user) -> QuerySet[Program]:
    return scope_queryset(Program.objects.all(), user, union_field="fund_union", roles=MONEY_READERS).select_related(
        "fund_union").prefetch_related("standards")  # fmt: skip


def program_get(*, user, pk: int) -> Program:
    try:
        return program_list(user=user).get(pk=pk)
    except Program.DoesNotExist as exc:
        raise Http404 from exc


def batch_list(*, user) -> QuerySet[Batch]:
    return scope_queryset(Batch.objects.all(), user, roles=MONEY_READERS).select_related(
        "union", "created_by", "decided_by")  # fmt: skip


def batch_get(*, user, pk: int) -> Batch:
    try:
        return batch_list(user=user).get(pk=pk)
    except Batch.DoesNotExist as exc:
        raise Http404 from exc


def batch_banks(*, batch: Batch) -> list[dict]:
    return list(
        Payment.objects.filter(batch=batch).exclude(status__in=[Payment.Status.PENDING, Payment.Status.CANCELLED])
        .values("bank_name").annotate(n=Count("id"), total=Sum("amount")).order_by("bank_name")
    )  # fmt: skip


def batch_payments(*, batch: Batch, status: str = "") -> QuerySet[Payment]:
    payments = Payment.objects.filter(batch=batch).select_related("household__union", "entitlement__program")
    if status:
        payments = payments.filter(status=status)
    return payments.order_by("id")


def account_list(*, user) -> QuerySet[FundAccount]:
    return scope_queryset(FundAccount.objects.all(), user, roles=MONEY_READERS).select_related("union").annotate(
        balance=Sum("entries__amount")).order_by("-year", "union__path")  # fmt: skip


def account_get(*, user, pk: int) -> FundAccount:
    try:
        return account_list(user=user).get(pk=pk)
    except FundAccount.DoesNotExist as exc:
        raise Http404 from exc


def grant_list(*, user, status: str = "") -> QuerySet[Grant]:
    grants = scope_queryset(Grant.objects.all(), user, union_field="household__union",
                            roles=(*MONEY_READERS, Role.GRASSROOTS_STAFF)).select_related(
        "household__union", "program", "applied_by", "decided_by")  # fmt: skip
    return grants.filter(status=status) if status else grants


def grant_programs(*, household) -> QuerySet[Program]:
    """On-application programs whose fund covers the household's union."""
    return Program.objects.filter(kind="on_application", is_active=True, fund_union_id__in=household.union.ancestor_ids)


def approver_unions(user):
    return scope_unions(user, (Role.FUND_APPROVER,))
