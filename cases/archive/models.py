"""Retention (总工办〔2016〕36号): files are kept 10 years after closing, then listed for destruction.

A yearly task drafts a ``DestructionList`` of one city's files closed over ``RETENTION_YEARS`` ago;
a centre staff member submits it (提请销毁) and another approves it (批准销毁) — never one person,
never the task alone. "Destroyed" means anonymised: the personal data of the file and its members
are blanked and its attachments' stored files deleted, while the row, its numbers and dates, its
payments and its audit trail stay (the fund's books and the history must still add up).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.models import Union

__all__ = ["DestructionEntry", "DestructionList", "DestructionStatus"]


class DestructionStatus(models.TextChoices):
    DRAFTED = "drafted", _("待提请")
    SUBMITTED = "submitted", _("待批准")
    APPROVED = "approved", _("已批准销毁")
    REJECTED = "rejected", _("已驳回")


class DestructionList(models.Model):
    """销毁清单: one city's files past retention, listed by the yearly task, approved by two people."""

    union = models.ForeignKey(Union, verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"), max_length=20, choices=DestructionStatus.choices, default=DestructionStatus.DRAFTED
    )
    cutoff = models.DateField(_("截止日期"), help_text=_("在此日期或之前关闭的档案列入清单"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提请人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("提请时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("档案销毁清单")
        verbose_name_plural = _("档案销毁清单")
        ordering = ["-id"]
        constraints = [
            # Separation of duties at the database too: who submitted it never approves it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("submitted_by")),
                name="destruction_two_people",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.cutoff:%Y-%m-%d}"


class DestructionEntry(models.Model):
    """One file on a destruction list, with what it was when listed."""

    destruction_list = models.ForeignKey(
        DestructionList, verbose_name=_("销毁清单"), on_delete=models.PROTECT, related_name="entries"
    )
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭档案"), on_delete=models.PROTECT, related_name="+"
    )
    file_number = models.CharField(_("职工编号"), max_length=30, blank=True)
    status_when_listed = models.CharField(_("列入时状态"), max_length=20)
    closed_on = models.DateField(_("关闭日期"))
    destroyed = models.BooleanField(_("已销毁"), default=False)

    class Meta:
        verbose_name = _("销毁清单条目")
        verbose_name_plural = _("销毁清单条目")
        ordering = ["closed_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["destruction_list", "household"], name="destruction_entry_once"),
        ]
