"""变更申请: a change to a filed household file, proposed, approved by the centre and applied with its history."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.choices import ChoiceLabels
from hardship.money import MONEY_FIELD as MONEY


class ChangeKind(models.TextChoices):
    MEMBER_ADD = "member_add", _("新增家庭成员")
    MEMBER_REMOVE = "member_remove", _("家庭成员减少")
    MEMBER_CHANGE = "member_change", _("成员情况变化")
    EMPLOYER = "employer", _("工作单位变更")
    BANK_ACCOUNT = "bank_account", _("收款账户变更")
    EXPENSES = "expenses", _("刚性支出变化")


class ChangeReason(models.TextChoices):
    BIRTH = "birth", _("出生")
    MARRIAGE = "marriage", _("结婚迁入")
    MOVED_IN = "moved_in", _("其他迁入")
    DEATH = "death", _("死亡")
    MOVED_OUT = "moved_out", _("迁出")
    MARRIED_OUT = "married_out", _("出嫁/入赘迁出")
    WORK = "work", _("就业变化（新工作、失业、退休）")
    SCHOOL = "school", _("就学变化")
    HEALTH = "health", _("健康/残疾变化")
    INCOME = "income", _("收入变化")
    NEW_EMPLOYER = "new_employer", _("更换工作单位")
    NEW_CARD = "new_card", _("更换银行卡")
    CARD_ERROR = "card_error", _("卡号有误/发放失败")
    EXPENSES = "expenses", _("支出变化")
    OTHER = "other", _("其他")


# The reasons each kind offers, in the order the form lists them.
REASONS_OF_KIND = {
    ChangeKind.MEMBER_ADD: (ChangeReason.BIRTH, ChangeReason.MARRIAGE, ChangeReason.MOVED_IN),
    ChangeKind.MEMBER_REMOVE: (ChangeReason.DEATH, ChangeReason.MOVED_OUT, ChangeReason.MARRIED_OUT),
    ChangeKind.MEMBER_CHANGE: (ChangeReason.WORK, ChangeReason.INCOME, ChangeReason.SCHOOL, ChangeReason.HEALTH,
                               ChangeReason.OTHER),
    ChangeKind.EMPLOYER: (ChangeReason.NEW_EMPLOYER, ChangeReason.OTHER),
    ChangeKind.BANK_ACCOUNT: (ChangeReason.NEW_CARD, ChangeReason.CARD_ERROR),
    ChangeKind.EXPENSES: (ChangeReason.EXPENSES, ChangeReason.OTHER),
}  # fmt: skip


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准并生效")
    REJECTED = "rejected", _("不予批准")
    WITHDRAWN = "withdrawn", _("已撤回")


class ChangeRequest(ChoiceLabels, models.Model):
    """One proposed change to a filed file: what it was, what it would be, and the tier it would give.

    ``before`` and ``after`` map field → value (the member's fields for a member change, the
    household's for the others); the tiers are the ones computed when it was proposed and, once
    approved, the ones the file got. Written only by cases.changes.services.
    """

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(_("变更事项"), max_length=20, choices=ChangeKind.choices)
    reason = models.CharField(_("变更原因"), max_length=20, choices=ChangeReason.choices)
    member = models.ForeignKey(
        "cases.Member", verbose_name=_("涉及成员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField(_("变更前"), default=dict, blank=True)
    after = models.JSONField(_("变更后"), default=dict, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT)
    tier_before = models.CharField(_("变更前困难类别"), max_length=20, blank=True)
    per_capita_before = models.DecimalField(_("变更前人均月收入"), null=True, blank=True, **MONEY)
    tier_after = models.CharField(_("变更后困难类别"), max_length=20, blank=True)
    per_capita_after = models.DecimalField(_("变更后人均月收入"), null=True, blank=True, **MONEY)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("填写时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("变更申请")
        verbose_name_plural = _("变更申请")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status", "household"], name="change_status_household")]
        constraints = [
            # Separation of duties, kept by the database too: nobody approves their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="change_not_decided_by_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()}"
