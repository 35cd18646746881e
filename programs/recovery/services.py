"""追回's writes: raise a receivable, record instalments (and reverse one recorded by mistake), propose and
decide a write-off.

Each is one transaction: lock the receivable, ask its workflow, append the ledger rows (the
receivable's own and, for money received, the fund's 追回入账), write the status with update_fields,
and record an audit event on the household, so the file's history says it in words.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Household
from hardship.models import User
from hardship.money import money
from hardship.services import audit_record
from hardship.workflow import ActionRefused

from ..assistance.models import FundAccount, LedgerEntry, Payment
from .models import Receivable, ReceivableEntry, ReceivableStatus
from .workflow import raise_refusal, receivable_workflow, reversal_refusal

# The payments money actually left the fund for (a pending one is not paid; a failed one was reversed).
PAID_OUT = (Payment.Status.APPROVED, Payment.Status.EXPORTED, Payment.Status.PAID)
MAX_AMOUNT = Decimal("1000000")


def outstanding(receivable: Receivable) -> Decimal:
    """What is still owed: the sum of the receivable's append-only entries."""
    return money(receivable.entries.aggregate(t=Sum("amount"))["t"] or 0)


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ActionRefused(_("请填写%(w)s。") % {"w": what}, code="text_missing")
    return value[:200]


def receivable_raise(*, actor: User, household_id: int, payment_ids: list[int], amount: Decimal, reason: str,
                     request=None) -> Receivable:  # fmt: skip
    """Record money wrongly paid to a household as owed back to the fund that paid it."""
    reason = _text(reason, _("追回原因"))
    if amount is None or amount <= 0 or amount > MAX_AMOUNT:
        raise ActionRefused(_("应追回金额必须大于 0 且不超过 100 万元。"))
    amount = money(amount)
    with transaction.atomic():
        household = Household.objects.select_for_update(of=("self",)).select_related("union").get(pk=household_id)
        refusal = raise_refusal(household, actor)
        if refusal:
            raise ActionRefused(refusal)
        chosen = Payment.objects.filter(household=household, pk__in=payment_ids, status__in=PAID_OUT)
        payments = list(chosen.select_related("batch__union").select_for_update(of=("self",)))
        if not payments or len(payments) != len(set(payment_ids)):
            raise ActionRefused(_("请选择本户已发放的误发记录（待审批、失败或已取消的发放不能追回）。"))
        funds = {p.batch.union for p in payments}
        if len(funds) != 1:
            raise ActionRefused(_("一笔追回款只对应一个工会的资金，请按资金分别登记。"))
        paid = sum((p.amount for p in payments), Decimal("0"))
        already = Receivable.objects.filter(payments__in=payments).distinct().aggregate(t=Sum("amount"))["t"] or 0
        if amount + already > paid:
            raise ActionRefused(_("应追回金额不能超过所选发放记录的金额（%(p)s 元，已登记追回 %(a)s 元）。")
                                % {"p": money(paid), "a": money(already)})  # fmt: skip
        receivable = Receivable.objects.create(household=household, union=funds.pop(), amount=amount, reason=reason,
                                               created_by=actor)  # fmt: skip
        receivable.payments.set(payments)
        ReceivableEntry.objects.create(receivable=receivable, kind=ReceivableEntry.Kind.RAISED, amount=amount,
                                       memo=reason, created_by=actor)  # fmt: skip
        audit_record(actor=actor, verb="recovery.raise", target=household, union=receivable.union, request=request,
                     changes={"receivable": (None, f"#{receivable.pk} {amount} 元"),
                              "reason": (None, reason)})  # fmt: skip
        return receivable


def _lock(receivable_id: int) -> Receivable:
    return Receivable.objects.select_for_update(of=("self",)).select_related("union", "household").get(
        pk=receivable_id)  # fmt: skip


def receivable_collect(*, actor: User, receivable_id: int, amount: Decimal, received_on: date, memo: str = "",
                       request=None) -> ReceivableEntry:  # fmt: skip
    """收回 one instalment: the receivable goes down, the fund of that year goes up by the same amount."""
    if amount is None or amount <= 0:
        raise ActionRefused(_("收回金额必须大于 0。"))
    if received_on is None or received_on > timezone.localdate():
        raise ActionRefused(_("收款日期不能晚于今天。"))
    amount = money(amount)
    with transaction.atomic():
        receivable = _lock(receivable_id)
        receivable_workflow.check(receivable, actor, "collect")
        owed = outstanding(receivable)
        if amount > owed:
            raise ActionRefused(_("收回金额不能超过尚欠的 %(o)s 元。") % {"o": owed})
        account, _created = FundAccount.objects.get_or_create(union=receivable.union, year=received_on.year)
        account = FundAccount.objects.select_for_update().get(pk=account.pk)
        memo = (memo or "").strip()[:100]
        text = f"追回 {receivable.household.file_number or receivable.household_id} #{receivable.pk}" + (
            f" {memo}" if memo else "")  # fmt: skip
        ledger = LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.RECOVERY, amount=amount,
                                            memo=text[:200], created_by=actor)  # fmt: skip
        entry = ReceivableEntry.objects.create(receivable=receivable, kind=ReceivableEntry.Kind.INSTALMENT,
                                               amount=-amount, ledger_entry=ledger, received_on=received_on,
                                               memo=(memo or _("分期收回"))[:200], created_by=actor)  # fmt: skip
        changes = {"receivable": (None, f"#{receivable.pk}"), "collected": (None, str(amount)),
                   "outstanding": (str(owed), str(owed - amount))}  # fmt: skip
        if owed - amount == 0:
            receivable.status = ReceivableStatus.SETTLED
            receivable.save(update_fields=["status"])
            changes["receivable_status"] = (str(ReceivableStatus.OPEN.label), str(ReceivableStatus.SETTLED.label))
        audit_record(actor=actor, verb="recovery.collect", target=receivable.household, union=receivable.union,
                     changes=changes, request=request)  # fmt: skip
        return entry


def instalment_reverse(*, actor: User, receivable_id: int, entry_id: int, reason: str,
                       request=None) -> ReceivableEntry:  # fmt: skip
    """冲正 an instalment recorded by mistake: a new entry gives back what it took off the receivable,
    and a 追回冲正 row takes the money out of the fund account it went into. Nothing is edited."""
    reason = _text(reason, _("冲正理由"))
    with transaction.atomic():
        receivable = _lock(receivable_id)
        receivable_workflow.check(receivable, actor, "reverse_instalment")
        entry = (ReceivableEntry.objects.select_for_update(of=("self",)).select_related("ledger_entry__account")
                 .filter(receivable=receivable, pk=entry_id).first())  # fmt: skip
        if entry is None:
            raise ActionRefused(_("这笔追回款没有这条收回记录。"))
        refusal = reversal_refusal(entry)
        if refusal:
            raise ActionRefused(refusal)
        amount = -entry.amount
        owed = outstanding(receivable)
        account = FundAccount.objects.select_for_update().get(pk=entry.ledger_entry.account_id)
        text = f"冲正 追回 {receivable.household.file_number or receivable.household_id} #{receivable.pk} {reason}"
        ledger = LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.RECOVERY_REVERSAL, amount=-amount,
                                            memo=text[:200], created_by=actor)  # fmt: skip
        reversal = ReceivableEntry.objects.create(receivable=receivable, kind=ReceivableEntry.Kind.REVERSAL,
                                                  amount=amount, ledger_entry=ledger, reverses=entry,
                                                  received_on=timezone.localdate(), memo=reason,
                                                  created_by=actor)  # fmt: skip
        changes = {"receivable": (None, f"#{receivable.pk}"), "reversed": (None, str(amount)),
                   "outstanding": (str(owed), str(owed + amount)), "reason": (None, reason)}  # fmt: skip
        if receivable.status == ReceivableStatus.SETTLED:
            receivable.status = ReceivableStatus.OPEN
            receivable.save(update_fields=["status"])
            changes["receivable_status"] = (str(ReceivableStatus.SETTLED.label), str(ReceivableStatus.OPEN.label))
        audit_record(actor=actor, verb="recovery.reverse", target=receivable.household, union=receivable.union,
                     changes=changes, request=request)  # fmt: skip
        return reversal


def receivable_propose_write_off(*, actor: User, receivable_id: int, reason: str, request=None) -> Receivable:
    """提出核销: what is still owed cannot be collected (e.g. the worker died, no means); a fund approver decides."""
    reason = _text(reason, _("核销理由"))
    with transaction.atomic():
        receivable = _lock(receivable_id)
        step = receivable_workflow.check(receivable, actor, "propose_write_off")
        receivable.status, receivable.write_off_reason, receivable.write_off_proposed_by = step.target, reason, actor
        receivable.decided_by, receivable.decided_at, receivable.decision_note = None, None, ""
        receivable.save(update_fields=["status", "write_off_reason", "write_off_proposed_by", "decided_by",
                                       "decided_at", "decision_note"])  # fmt: skip
        audit_record(actor=actor, verb="recovery.propose_write_off", target=receivable.household,
                     union=receivable.union, request=request,
                     changes={"receivable": (None, f"#{receivable.pk} {outstanding(receivable)} 元"),
                              "reason": (None, reason)})  # fmt: skip
        return receivable


def receivable_decide_write_off(*, actor: User, receivable_id: int, approve: bool, note: str = "",
                                request=None) -> Receivable:  # fmt: skip
    """批准核销 (the rest is written off on the receivable's ledger; the fund does not move) or 不予核销."""
    note = (note or "").strip()[:200]
    if not approve and not note:
        raise ActionRefused(_("请填写不予核销的理由。"), code="text_missing")
    with transaction.atomic():
        receivable = _lock(receivable_id)
        step = receivable_workflow.check(receivable, actor, "approve_write_off" if approve else "reject_write_off")
        owed = outstanding(receivable)
        if approve:
            ReceivableEntry.objects.create(receivable=receivable, kind=ReceivableEntry.Kind.WRITE_OFF, amount=-owed,
                                           memo=receivable.write_off_reason, created_by=actor)  # fmt: skip
        old = receivable.status
        receivable.status, receivable.decided_by, receivable.decided_at = step.target, actor, timezone.now()
        receivable.decision_note = note
        receivable.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, verb=f"recovery.{step.name}", target=receivable.household, union=receivable.union,
                     request=request, changes={"receivable": (None, f"#{receivable.pk}"),
                                               "receivable_status": (str(ReceivableStatus(old).label),
                                                                     str(ReceivableStatus(step.target).label)),
                                               "written_off": (None, str(owed) if approve else None),
                                               "note": (None, note or None)})  # fmt: skip
        return receivable
