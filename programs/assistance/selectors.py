"""Reads about money, scoped to the acting user's unions."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from cases.models import Status
from hardship.access import scope_queryset, scope_unions
from hardship.models import Role, Union
from hardship.money import money
from hardship.workflow import Action

from .balances import ApprovalFigures, approval_figures, fund_balance
from .batch import batch_estimate, due_programs
from .models import Batch, FundAccount, Grant, Payment, Program
from .periods import Quarter, is_late, parse_quarter, period_not_begun
from .workflow import GRANT_SCHEDULABLE, batch_workflow, grant_apply_refusal, grant_workflow, not_the_starter

__all__ = ["ApprovalFigures", "approval_figures", "batch_preview", "fund_balance"]

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


def can_apply_grant(*, user, household) -> bool:
    """The file's 申请一次性救助 button: the grant's own rule (the service asks it too)."""
    return grant_apply_refusal(household, user) is None


def approver_unions(user):
    return scope_unions(user, (Role.FUND_APPROVER,))


# What a user may do: from the declarations in workflow.py (the templates only render it).


def batch_actions(*, user, batch: Batch) -> dict[str, Action]:
    """The batch page's buttons for ``user``: name → Action (allowed, or greyed out with the reason)."""
    return {a.name: a for a in batch_workflow.available_actions(batch, user)}


def batch_waiting_note(*, user, batch: Batch) -> str:
    """Under 审批, for whoever may not decide: why (they started it) or what it waits for."""
    return (
        not_the_starter(batch, user) and _("您发起了这个批次，需由另一位资金审批人审批。") or _("等待资金审批人审批。")
    )


def grant_rows(*, user, grants) -> list[tuple[Grant, dict[str, Action]]]:
    """Each listed grant with its decisions for ``user`` (no query: the roles are cached, the rows loaded)."""
    return [(g, {a.name: a for a in grant_workflow.available_actions(g, user)}) for g in grants]


def approvals_waiting(*, user) -> QuerySet[Batch]:
    """Batches ``user`` may approve now (「我的工作」): the declaration's states, roles and duties as a queryset."""
    return Batch.objects.filter(batch_workflow.q_for(user, "approve"))


def recompute_waiting(*, user) -> QuerySet[Batch]:
    """Failed batches ``user`` may compute again."""
    return Batch.objects.filter(batch_workflow.q_for(user, "recompute"), status=Batch.Status.FAILED)


def grants_waiting(*, user) -> QuerySet[Grant]:
    return Grant.objects.filter(grant_workflow.q_for(user, "approve", "reject"))


# Starting a batch: what it will do, shown before it is confirmed.


@dataclass(frozen=True)
class BatchPreview:
    union: Union
    quarter: Quarter
    late: bool  # a 补发: the period is already over
    refusal: str | None  # why it cannot be started (a period not yet begun)
    programs: list[str] = field(default_factory=list)
    households: int = 0
    total: Decimal = Decimal("0.00")
    grants: int = 0
    grants_total: Decimal = Decimal("0.00")

    @property
    def estimated_total(self) -> Decimal:
        return self.total + self.grants_total


def batch_exists_refusal(union: Union, quarter: Quarter) -> str:
    return _("“%(u)s”在 %(p)s 已有发放批次，请打开该批次继续。") % {"u": union.name, "p": quarter.key}


def batch_preview(*, user, union: Union, period: str) -> BatchPreview:
    """The confirmation page of 发起批次 (``union`` is one of the user's fund unions: the form's choices)."""
    quarter = parse_quarter(period)
    refusal = period_not_begun(quarter)
    if refusal is None and Batch.objects.filter(union=union, period=quarter.key).exclude(
        status=Batch.Status.REJECTED).exists():  # fmt: skip
        refusal = batch_exists_refusal(union, quarter)  # the constraint batch_one_live_per_period, told first
    if refusal:
        return BatchPreview(union=union, quarter=quarter, late=False, refusal=refusal)
    households, total = batch_estimate(union=union, quarter=quarter)
    grants = Grant.objects.filter(
        status__in=GRANT_SCHEDULABLE, program__fund_union=union, household__status=Status.FILED,
        household__union__path__startswith=union.path,
    ).aggregate(n=Count("id"), t=Sum("amount"))  # fmt: skip
    return BatchPreview(
        union=union, quarter=quarter, late=is_late(quarter), refusal=None,
        programs=[program.name for program, _key in due_programs(union, quarter)], households=households,
        total=total, grants=grants["n"], grants_total=money(grants["t"] or 0),
    )  # fmt: skip
