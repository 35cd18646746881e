"""申诉 / 投诉 / 举报 / 公示异议: tickets the centre's staff handle, with replies the submitter reads."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.masking import mask_phone


class TicketKind(models.TextChoices):
    APPEAL = "appeal", _("申诉")
    COMPLAINT = "complaint", _("投诉")
    TIP_OFF = "tip_off", _("举报")
    OBJECTION = "objection", _("公示异议")


class AppealSubject(models.TextChoices):
    """What an appeal is against (申诉事项)."""

    REJECTION = "rejection", _("不予受理")
    EXIT = "exit", _("退出帮扶")
    AMOUNT = "amount", _("帮扶金额")


class TicketStatus(models.TextChoices):
    OPEN = "open", _("待受理")
    IN_PROGRESS = "in_progress", _("办理中")
    UPHELD = "upheld", _("已办结：成立")
    DISMISSED = "dismissed", _("已办结：不成立")


CLOSED_STATUSES = (TicketStatus.UPHELD, TicketStatus.DISMISSED)


class Ticket(models.Model):
    """One appeal, complaint, tip-off or 公示 objection. Written only by cases.tickets.services.

    ``union`` is whose centre handles it (the household's union when it names one); ``code`` is the
    unguessable reference a submitter without an account uses to read the replies.
    """

    kind = models.CharField(_("类别"), max_length=20, choices=TicketKind.choices)
    subject = models.CharField(_("申诉事项"), max_length=20, choices=AppealSubject.choices, blank=True)
    code = models.CharField(_("查询码"), max_length=20, unique=True)
    union = models.ForeignKey("hardship.Union", verbose_name=_("受理工会"), on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("涉及家庭"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="tickets",
    )  # fmt: skip
    text = models.TextField(_("内容"), max_length=2000)
    anonymous = models.BooleanField(_("匿名"), default=False)
    submitter_name = models.CharField(_("提交人"), max_length=50, blank=True)
    submitter_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Staff who recorded it for someone (a visit to the office, a phone call), or raised it themselves.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Kept for the per-address limit of the public forms only.
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    due_on = models.DateField(_("办理期限"))
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    outcome = models.CharField(_("办理结果"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("申诉/投诉/举报")
        verbose_name_plural = _("申诉/投诉/举报")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["status", "due_on"], name="ticket_status_due"),
            models.Index(fields=["ip_address", "created_at"], name="ticket_ip_created"),
        ]
        constraints = [
            # An appeal names what it is against and whose file; nothing else carries a subject.
            models.CheckConstraint(
                condition=(Q(kind="appeal") & ~Q(subject="") & Q(household__isnull=False))
                | (~Q(kind="appeal") & Q(subject="")),
                name="ticket_appeal_subject",
            ),
            # A tip-off and an objection are about a case.
            models.CheckConstraint(
                condition=~Q(kind__in=["tip_off", "objection"]) | Q(household__isnull=False),
                name="ticket_tip_off_names_case",
            ),
            # Closed ⇔ closed_at set.
            models.CheckConstraint(
                condition=Q(status__in=["upheld", "dismissed"], closed_at__isnull=False)
                | (~Q(status__in=["upheld", "dismissed"]) & Q(closed_at__isnull=True)),
                name="ticket_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.code}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.submitter_phone) if self.submitter_phone else ""

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class TicketReply(models.Model):
    """A reply on a ticket; ``public`` ones are shown to the submitter, the others are staff notes."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    text = models.CharField(_("内容"), max_length=1000)
    public = models.BooleanField(_("提交人可见"), default=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("工单回复")
        verbose_name_plural = _("工单回复")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]
