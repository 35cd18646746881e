"""Notifications to families: the message of each event (editable), what was sent to whom, and the SMS log."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FamilyEvent(models.TextChoices):
    SUBMITTED = "submitted", _("申请已提交")
    RETURNED = "returned", _("退回补正")
    FIRST_APPROVED = "first_approved", _("初审通过")
    REJECTED = "rejected", _("不予受理")
    NOTICE_STARTED = "notice_started", _("复审通过，开始公示")
    FILED = "filed", _("建档")
    PAYMENT_PAID = "payment_paid", _("帮扶资金到账")
    YEARLY_REVIEW_DUE = "yearly_review_due", _("年度复核到期")
    WORKSTUDY_RESULT = "workstudy_result", _("关爱·圆梦录用结果")
    TICKET_REPLY = "ticket_reply", _("申诉/投诉答复")


class MessageTemplate(models.Model):
    """The Chinese text sent for one event; ``{name}`` placeholders come from the event's context.

    Seeded by a migration with the defaults; the system admin edits them in the admin (audited).
    """

    event = models.CharField(_("事件"), max_length=30, choices=FamilyEvent.choices, unique=True)
    text = models.CharField(_("短信内容"), max_length=300)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知模板")
        verbose_name_plural = _("通知模板")
        ordering = ["event"]

    def __str__(self) -> str:
        return self.get_event_display()


class FamilyNotification(models.Model):
    """One message to a household: shown on the worker's page, and sent by SMS to ``phone``.

    ``key`` names the occurrence (e.g. ``payment:123``): the same event is never told twice,
    whatever runs twice. Written only by cases.notices.services.
    """

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="family_notifications"
    )
    event = models.CharField(_("事件"), max_length=30, choices=FamilyEvent.choices)
    key = models.CharField(_("事件标识"), max_length=80, unique=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("家庭通知")
        verbose_name_plural = _("家庭通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["household", "-created_at"], name="family_notice_household")]

    def __str__(self) -> str:
        return self.text[:40]


class SmsDelivery(models.Model):
    """The SMS of one notification: queued → sent, or failed after the retries (the last error kept)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("待发送")
        RETRYING = "retrying", _("发送失败，等待重试")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无手机号，未发送")

    notification = models.OneToOneField(
        FamilyNotification, verbose_name=_("通知"), on_delete=models.PROTECT, related_name="sms"
    )
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("短信发送记录")
        verbose_name_plural = _("短信发送记录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["status"], name="sms_delivery_status")]

    def __str__(self) -> str:
        return f"{self.phone} {self.get_status_display()}"


# The defaults (the migration seeds them; a missing row falls back to these too).
DEFAULT_TEMPLATES = {
    FamilyEvent.SUBMITTED: "【职工帮扶】{head}户的困难职工帮扶申请已提交，工会将在近期入户走访。",
    FamilyEvent.RETURNED: "【职工帮扶】{head}户的申请需要补正：{reason}。请补充后重新提交。",
    FamilyEvent.FIRST_APPROVED: "【职工帮扶】{head}户的申请已通过初审，将由第三方机构复审。",
    FamilyEvent.REJECTED: "【职工帮扶】{head}户的申请未予受理：{reason}。如有异议，可在{days}日内申诉。",
    FamilyEvent.NOTICE_STARTED: "【职工帮扶】{head}户的申请已通过复审，公示期{start}至{end}。",
    FamilyEvent.FILED: "【职工帮扶】{head}户已建档（档案号{file_number}），帮扶资金将按期发放。",
    FamilyEvent.PAYMENT_PAID: "【职工帮扶】{program}{period}{amount}元已发放至尾号{card}的银行卡。",
    FamilyEvent.YEARLY_REVIEW_DUE: "【职工帮扶】{head}户的年度复核将于{due}前进行，工会将联系入户。",
    FamilyEvent.WORKSTUDY_RESULT: "【职工帮扶】关爱·圆梦：{student}{result}。",
    FamilyEvent.TICKET_REPLY: "【职工帮扶】您的{kind}（查询码{code}）有新的答复：{text}",
}
