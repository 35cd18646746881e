"""Assistance programs and money: dated standards, batches, entitlements, payments, the fund ledger.

Invariants live in the database:
- one entitlement per (household, program, period) — a household is never owed twice;
- at most one payment per entitlement that has not failed — never paid twice;
- ledger entries and frozen payment snapshots are append-only.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Household, RegisterImport, SchoolLevel, Tier
from hardship.choices import ChoiceLabels
from hardship.masking import mask_card
from hardship.models import Union

MONEY = {"max_digits": 14, "decimal_places": 2}

__all__ = [
    "Batch",
    "Entitlement",
    "FundAccount",
    "Grant",
    "LedgerEntry",
    "Payment",
    "Program",
    "ProgramKind",
    "ProgramStandard",
]


class ProgramKind(models.TextChoices):
    QUARTERLY = "quarterly", _("按季度（每户）")
    MONTHLY = "monthly", _("按月（随季度发放）")
    YEARLY = "yearly", _("每年一次（每户）")
    FESTIVAL = "festival", _("节日慰问（每户每年一次）")
    STUDENT_YEARLY = "student_yearly", _("每年一次（每名学生）")
    ON_APPLICATION = "on_application", _("依申请（一次性）")


class Program(models.Model):
    """One kind of assistance a union's fund pays (生活补贴, 临时价格补贴, 一次性救助 …)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=60)
    kind = models.CharField(_("发放方式"), max_length=20, choices=ProgramKind.choices)
    fund_union = models.ForeignKey(
        Union, verbose_name=_("资金所属工会"), on_delete=models.PROTECT, related_name="programs"
    )
    # Quarter of the year in which a yearly or festival program is paid (1–4).
    due_quarter = models.PositiveSmallIntegerField(_("发放季度"), null=True, blank=True)
    living_aid = models.BooleanField(
        _("计入生活救助年度上限"), default=False, help_text=_("生活补贴、临时价格补贴、一次性救助等")
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_quarter__isnull=True) | Q(due_quarter__gte=1, due_quarter__lte=4),
                name="program_due_quarter_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ProgramStandard(models.Model):
    """How much a program pays, from a date, for a tier (and school level for 助学).

    Never edited in force: a new figure is a new record with its own date.
    """

    program = models.ForeignKey(Program, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="standards")
    effective_from = models.DateField(_("生效日期"))
    tier = models.CharField(_("困难类别"), max_length=20, choices=Tier.choices)
    school_level = models.CharField(_("就学阶段"), max_length=20, choices=SchoolLevel.choices, blank=True, default="")
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发放标准")
        verbose_name_plural = _("发放标准")
        ordering = ["program_id", "-effective_from", "tier", "school_level"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "effective_from", "tier", "school_level"],
                name="program_standard_unique",
                violation_error_message=_("该项目在这一天已有同一类别的标准。"),
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="program_standard_amount_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.get_tier_display()} {self.amount}"


class FundAccount(models.Model):
    """A union's assistance fund for one year. Its row is locked to serialise budget checks."""

    union = models.ForeignKey(Union, verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))

    class Meta:
        verbose_name = _("帮扶资金账户")
        verbose_name_plural = _("帮扶资金账户")
        constraints = [models.UniqueConstraint(fields=["union", "year"], name="fund_account_unique")]

    def __str__(self) -> str:
        return f"{self.union} {self.year}"


class Batch(ChoiceLabels, models.Model):
    """A disbursement batch of one fund for one period (e.g. 2026-Q4)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待计算")
        RUNNING = "running", _("计算中")
        COMPUTED = "computed", _("待审批")
        FAILED = "failed", _("计算失败")
        APPROVED = "approved", _("已审批")
        REJECTED = "rejected", _("已驳回")
        EXPORTED = "exported", _("已导出银行文件")
        RECONCILED = "reconciled", _("已对账")

    class Freeze(models.TextChoices):
        NONE = "", _("未审批")
        QUEUED = "queued", _("等待锁定收款人")
        RUNNING = "running", _("正在锁定收款人")
        FAILED = "failed", _("收款人锁定失败")
        DONE = "done", _("收款人已锁定")

    union = models.ForeignKey(Union, verbose_name=_("资金所属工会"), on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("发放期"), max_length=7, help_text=_("如 2026-Q4"))
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    # The run lock: a token and a heartbeat; a stale one can be released by staff.
    lock_token = models.CharField(max_length=36, blank=True, default="")
    locked_at = models.DateTimeField(null=True, blank=True)
    total_chunks = models.PositiveIntegerField(default=0)
    done_chunks = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(_("符合条件户数"), default=0)
    created_count = models.PositiveIntegerField(_("本次新增"), default=0)
    summary = models.JSONField(_("汇总"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.CharField(_("驳回原因"), max_length=200, blank=True)
    # After approval a worker freezes the payees (name, card, amount) in one transaction: until it is
    # done the bank files wait; a failed run leaves nothing frozen and 重新锁定收款人 runs it again.
    freeze = models.CharField(_("收款人锁定"), max_length=10, choices=Freeze.choices, default=Freeze.NONE,
                              blank=True)  # fmt: skip
    freeze_total = models.PositiveIntegerField(_("待锁定笔数"), default=0)
    freeze_done = models.PositiveIntegerField(_("已锁定笔数"), default=0)
    freeze_started_at = models.DateTimeField(_("锁定开始时间"), null=True, blank=True)
    frozen_at = models.DateTimeField(_("锁定完成时间"), null=True, blank=True)
    freeze_error = models.TextField(_("锁定错误"), blank=True)

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-period", "-id"]
        constraints = [
            # One live batch per fund and period; a rejected one may be started again.
            models.UniqueConstraint(
                fields=["union", "period"],
                condition=~Q(status="rejected"),
                name="batch_one_live_per_period",
                violation_error_message=_("该资金在这一期已有发放批次。"),
            ),
            # Bank files are written from frozen payees only: a batch reported to the bank is frozen.
            models.CheckConstraint(
                condition=~Q(status__in=["exported", "reconciled"]) | Q(freeze="done"),
                name="batch_exported_only_frozen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.period}"

    @property
    def freezing(self) -> bool:
        """Approved, the payees not yet frozen: the page polls, the bank files wait."""
        return self.freeze in (self.Freeze.QUEUED, self.Freeze.RUNNING)

    @property
    def freeze_percent(self) -> int:
        if self.freeze == self.Freeze.DONE:
            return 100
        return min(99, round(100 * self.freeze_done / self.freeze_total)) if self.freeze_total else 0

    @property
    def progress_percent(self) -> int:
        if not self.total_chunks:
            return 100 if self.status not in (self.Status.PENDING, self.Status.RUNNING) else 0
        return min(100, round(100 * self.done_chunks / self.total_chunks))


class Entitlement(models.Model):
    """What a household is owed by a program for a period. Never twice: a unique constraint."""

    # Indexed by the unique constraint below, which starts with the household.
    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="+",
                                  db_index=False)  # fmt: skip
    # Looked up through the indexes below (household first; batch with program), not on their own.
    program = models.ForeignKey(Program, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+",
                                db_index=False)  # fmt: skip
    period_key = models.CharField(_("期间"), max_length=20)
    # None for a payment made before the portal, brought in by a register import (历史发放).
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="entitlements",
                              db_index=False, null=True, blank=True)  # fmt: skip
    # No database constraint (like ``union``): adding one would scan the million-row table under a lock.
    register_import = models.ForeignKey(
        RegisterImport, verbose_name=_("存量导入"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    amount = models.DecimalField(_("金额"), **MONEY)
    tier = models.CharField(_("困难类别"), max_length=20, choices=Tier.choices)
    # A copy of the household's union for the summary: written with the row, never changed; no
    # database constraint, so the million-row insert does not pay a foreign-key check for it.
    union = models.ForeignKey(Union, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="+",
                              db_constraint=False, db_index=False)  # fmt: skip
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    # True while no live payment exists: new, held for want of a card, or failed at the bank.
    awaiting_payment = models.BooleanField(_("待发放"), default=True)
    # The card a payment failed on: a re-issue waits until the household's card differs.
    failed_card = models.CharField(_("发放失败的卡号"), max_length=19, blank=True, default="")
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("应发记录")
        verbose_name_plural = _("应发记录")
        constraints = [
            # Household first, then period: also the index of "this household's entitlements this year".
            models.UniqueConstraint(fields=["household", "period_key", "program"], name="entitlement_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="entitlement_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["batch", "program"], name="entitlement_batch_program"),
            models.Index(fields=["household"], condition=Q(awaiting_payment=True), name="entitlement_awaiting"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.program_id} {self.period_key} {self.amount}"


class Payment(ChoiceLabels, models.Model):
    """One attempt to pay an entitlement to the head's own card. A failed one may be re-issued."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已审批")
        EXPORTED = "exported", _("已报银行")
        PAID = "paid", _("已到账")
        FAILED = "failed", _("发放失败")
        CANCELLED = "cancelled", _("已取消")

    entitlement = models.ForeignKey(
        Entitlement, verbose_name=_("应发记录"), on_delete=models.PROTECT, related_name="payments"
    )
    # Indexed with the status (payment_batch_status) below.
    batch = models.ForeignKey(Batch, verbose_name=_("批次"), on_delete=models.PROTECT, related_name="payments",
                              db_index=False)  # fmt: skip
    # A copy of the entitlement's household (no database constraint: see Entitlement.union).
    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="+",
                                  db_constraint=False)  # fmt: skip
    amount = models.DecimalField(_("金额"), **MONEY)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Frozen at approval: who and where the money goes.
    payee_name = models.CharField(_("收款人"), max_length=50, blank=True)
    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    card_number = models.CharField(_("银行卡号"), max_length=19, blank=True)
    failure_reason = models.CharField(_("失败原因"), max_length=200, blank=True)
    settled_at = models.DateTimeField(_("对账时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发放记录")
        verbose_name_plural = _("发放记录")
        constraints = [
            # Never paid twice: one payment per entitlement unless the earlier ones failed or were cancelled.
            models.UniqueConstraint(
                fields=["entitlement"],
                condition=~Q(status__in=["failed", "cancelled"]),
                name="payment_once_per_entitlement",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="payment_batch_status")]

    @property
    def reference(self) -> str:
        return f"P{self.batch_id:05d}-{self.pk:09d}"

    @property
    def card_masked(self) -> str:
        return mask_card(self.card_number)


class LedgerEntry(models.Model):
    """The fund ledger: append-only. Allocations add, payments subtract, reversals and recoveries add back;
    a recovery recorded by mistake is taken out again by its own row (追回冲正)."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("预算拨入")
        PAYMENT = "payment", _("批次发放")
        REVERSAL = "reversal", _("冲回")
        RECOVERY = "recovery", _("追回入账")
        RECOVERY_REVERSAL = "recovery_reversal", _("追回冲正")

    account = models.ForeignKey(FundAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(_("金额（正为收入，负为支出）"), **MONEY)
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(_("摘要"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记账人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金台账")
        verbose_name_plural = _("资金台账")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="allocation", amount__gt=0)
                    | Q(kind="payment", amount__lt=0)
                    | Q(kind="reversal", amount__gt=0)
                    | Q(kind="recovery", amount__gt=0)
                    | Q(kind="recovery_reversal", amount__lt=0)
                ),
                name="ledger_sign_by_kind",
            ),
            # A failed payment is reversed once.
            models.UniqueConstraint(fields=["payment"], condition=Q(kind="reversal"), name="ledger_one_reversal"),
            models.UniqueConstraint(fields=["batch"], condition=Q(kind="payment"), name="ledger_one_batch_payment"),
        ]


class Grant(ChoiceLabels, models.Model):
    """A one-off grant applied for from a file (medical, 助学, 送温暖): approved, then paid in the next batch."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审批")
        APPROVED = "approved", _("已批准，待发放")
        REJECTED = "rejected", _("未批准")
        SCHEDULED = "scheduled", _("已纳入批次")

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="grants")
    program = models.ForeignKey(Program, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("申请金额"), **MONEY)
    self_paid = models.DecimalField(
        _("个人自付医疗费用"), null=True, blank=True, help_text=_("医疗救助不超过自付部分"), **MONEY
    )
    reason = models.CharField(_("申请理由"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.APPLIED)
    # The grant's period is the calendar year it is applied for in: these programs are paid "yearly
    # or on application" (一次性救助, 一次性医疗补贴), and a household is paid at most once per
    # program and period. Its period_key (G<id>) names one grant, so it cannot be that period.
    year = models.PositiveSmallIntegerField(_("申请年度"))
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_reason = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("一次性救助申请")
        verbose_name_plural = _("一次性救助申请")
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="grant_amount_positive"),
            models.CheckConstraint(
                condition=Q(self_paid__isnull=True) | Q(amount__lte=models.F("self_paid")),
                name="grant_capped_at_self_paid",
                violation_error_message=_("医疗救助金额不能超过个人自付部分。"),
            ),
            # One open application per household, program and year: refused ones do not count (the
            # household may apply again), and one scheduled into a batch stays open, since a rejected
            # batch sends it back to approved. Eight identical applications at once make one grant.
            models.UniqueConstraint(
                fields=["household", "program", "year"],
                condition=Q(status__in=["applied", "approved", "scheduled"]),
                name="grant_one_open_per_household_program_year",
                violation_error_message=_("该户本年度已有一份该项目的申请，不能重复申请。"),
            ),
        ]

    @property
    def period_key(self) -> str:
        return f"G{self.pk}"


ZERO = Decimal("0")
