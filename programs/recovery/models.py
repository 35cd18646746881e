"""追回 (recovery of wrongly paid aid): a receivable on a household and its own append-only ledger.

A receivable names the payments it recovers and why. Each step is a ``ReceivableEntry`` — raised
(+amount), an instalment received (−, with the fund ledger's 追回入账 row that puts the money back
into the fund), a write-off (−, approved by a fund approver who did not propose it), the reversal
(冲正, +) of an instalment recorded by mistake (with the fund ledger's 追回冲正 row taking the money
out again; an instalment is reversed at most once) — and what is still owed is their sum. Neither
ledger is ever edited (a PostgreSQL trigger refuses UPDATE and DELETE): a mistake is corrected by a
reversing row.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Household
from hardship.models import Union
from hardship.money import MONEY_FIELD as MONEY

from ..assistance.models import LedgerEntry, Payment

__all__ = ["Receivable", "ReceivableEntry", "ReceivableStatus"]


class ReceivableStatus(models.TextChoices):
    OPEN = "open", _("追回中")
    WRITE_OFF_PROPOSED = "write_off_proposed", _("核销待审批")
    SETTLED = "settled", _("已追回")
    WRITTEN_OFF = "written_off", _("已核销")


class Receivable(models.Model):
    """应收追回款: what a household must pay back to a fund, and why."""

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="+")
    union = models.ForeignKey(Union, verbose_name=_("资金所属工会"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("应追回金额"), **MONEY)
    reason = models.CharField(_("追回原因"), max_length=200)
    payments = models.ManyToManyField(Payment, verbose_name=_("误发的发放记录"), related_name="receivables")
    status = models.CharField(_("状态"), max_length=20, choices=ReceivableStatus.choices,
                              default=ReceivableStatus.OPEN)  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    write_off_reason = models.CharField(_("核销理由"), max_length=200, blank=True)
    write_off_proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核销提出人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核销审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("追回款")
        verbose_name_plural = _("追回款")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="receivable_amount_positive"),
            # Who proposed a write-off never approves it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("write_off_proposed_by")),
                name="receivable_write_off_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.amount}"


class ReceivableEntry(models.Model):
    """One step of a receivable: append-only; the receivable's balance is the sum of its entries."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("登记应追回")
        INSTALMENT = "instalment", _("收回")
        WRITE_OFF = "write_off", _("核销")
        REVERSAL = "reversal", _("冲正")

    receivable = models.ForeignKey(Receivable, verbose_name=_("追回款"), on_delete=models.PROTECT,
                                   related_name="entries")  # fmt: skip
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("金额（正为应收，负为减少）"), **MONEY)
    ledger_entry = models.OneToOneField(LedgerEntry, verbose_name=_("资金台账记录"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")  # fmt: skip
    # 冲正: the instalment this entry reverses (one reversal each: the column is unique).
    reverses = models.OneToOneField("self", verbose_name=_("冲正的收回记录"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversal")  # fmt: skip
    received_on = models.DateField(_("收款日期"), null=True, blank=True)
    memo = models.CharField(_("摘要"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记账人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("追回款台账")
        verbose_name_plural = _("追回款台账")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="raised", amount__gt=0, ledger_entry__isnull=True, reverses__isnull=True)
                | Q(
                    kind="instalment",
                    amount__lt=0,
                    ledger_entry__isnull=False,
                    received_on__isnull=False,
                    reverses__isnull=True,
                )
                | Q(kind="write_off", amount__lt=0, ledger_entry__isnull=True, reverses__isnull=True)
                | Q(
                    kind="reversal",
                    amount__gt=0,
                    ledger_entry__isnull=False,
                    received_on__isnull=False,
                    reverses__isnull=False,
                ),
                name="receivable_entry_sign_by_kind",
            ),
            models.UniqueConstraint(fields=["receivable"], condition=Q(kind="raised"), name="receivable_raised_once"),
        ]
