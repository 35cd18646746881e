"""A staged register import, its staged rows and their errors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.models import Union


class ImportStage(models.TextChoices):
    CHECKING = "checking", _("检查中")
    CHECKED = "checked", _("待复核")
    APPROVED = "approved", _("已批准，入库中")
    COMMITTED = "committed", _("已入库")
    DISCARDED = "discarded", _("已作废")
    FAILED = "failed", _("检查失败")


def register_path(instance: "RegisterImport", filename: str) -> str:
    return f"register/{instance.union_id}/{filename}"


class RegisterImport(models.Model):
    """One uploaded register file (a workbook or CSV) of one kind, staged until a second person approves it."""

    kind = models.CharField(_("导入类型"), max_length=20)
    union = models.ForeignKey(Union, verbose_name=_("导入工会"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=20, choices=ImportStage.choices, default=ImportStage.CHECKING)
    file = models.FileField(_("文件"), upload_to=register_path)
    file_name = models.CharField(_("文件名"), max_length=200)
    content_hash = models.CharField(_("内容摘要"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    committed_at = models.DateTimeField(_("入库时间"), null=True, blank=True)
    discarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Progress of the check: rows read so far (the total is known only at the end of the file).
    rows_read = models.PositiveIntegerField(_("已读行数"), default=0)
    # When the check last moved (a worker took it up, or read another chunk): one that has not moved for
    # a while — no worker running — may be checked again (the register workflow's 重新检查).
    progress_at = models.DateTimeField(_("检查进展时间"), null=True, blank=True)
    # {"rows", "households", "new", "matched", "errors", "error_rows", "created"}; filled by the check and the commit.
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    # A few files with the tier recorded and the tier under the standard in force today.
    tier_sample = models.JSONField(_("困难类别抽样"), default=list, blank=True)
    error = models.TextField(_("错误"), blank=True)

    class Meta:
        verbose_name = _("存量导入")
        verbose_name_plural = _("存量导入")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (ImportStage.CHECKING, ImportStage.APPROVED)


class Outcome(models.TextChoices):
    NEW = "new", _("新建")
    MATCHED = "matched", _("已存在（跳过）")
    ERROR = "error", _("有错误")


class StagedRow(models.Model):
    """One data row of the file as read and checked: the set-wise checks run over these in SQL."""

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    # Rows of one household (户编号); a payment row is a group of its own.
    group_key = models.CharField(max_length=40)
    id_number = models.CharField(max_length=18, blank=True)
    is_head = models.BooleanField(default=False)
    union_name = models.CharField(max_length=100, blank=True)
    union_id = models.IntegerField(null=True)
    file_number = models.CharField(max_length=30, blank=True)
    # A record the row refers to (a past payment's program) and the record it belongs to (its household).
    ref_id = models.IntegerField(null=True)
    target_id = models.IntegerField(null=True)
    # The row's checked values (JSON text: read back only by the kind's commit).
    data = models.TextField()
    outcome = models.CharField(max_length=10, default=Outcome.NEW)

    class Meta:
        indexes = [
            models.Index(fields=["register_import", "group_key", "row_number"], name="staged_row_group"),
            models.Index(fields=["register_import", "id_number"], name="staged_row_person"),
        ]


class StagedError(models.Model):
    """One problem of the file: the Excel row (0 for the whole file), the column header and what is wrong."""

    register_import = models.ForeignKey(
        RegisterImport, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    row_number = models.PositiveIntegerField()
    column = models.CharField(max_length=60, blank=True)
    message = models.CharField(max_length=300)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["register_import", "row_number"], name="staged_error_row")]
        constraints = [models.CheckConstraint(condition=Q(row_number__gte=0), name="staged_error_row_number")]


__all__ = ["ImportStage", "Outcome", "RegisterImport", "StagedError", "StagedRow"]
