"""What every app shares: users, the union tree, staff roles and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .erasure import scrubbed


class User(AbstractUser):
    """A person who logs in. What they may do comes from their RoleAssignments."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Union(models.Model):
    """One union in the tree 市总 → 区/县 → 街道/乡镇 → 基层工会 (any depth).

    ``path`` is the materialised path of ids ("1/5/12/"): the subtree of a
    union is every union whose path starts with its own, one indexed prefix
    query instead of a recursive walk.
    """

    class Level(models.TextChoices):
        CITY = "city", _("市总工会")
        DISTRICT = "district", _("区/县总工会")
        STREET = "street", _("街道/乡镇工会")
        GRASSROOTS = "grassroots", _("基层工会")

    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=30, unique=True)
    level = models.CharField(_("层级"), max_length=20, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("深度"), default=0, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("工会")
        verbose_name_plural = _("工会")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="union_path_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Union") -> bool:
        """True when this union is ``other`` or below it."""
        return self.path.startswith(other.path)

    @staticmethod
    def ids_in_path(path: str) -> list[int]:
        """The union ids a materialised path names, root first: "1/5/12/" → [1, 5, 12]."""
        return [int(part) for part in path.strip("/").split("/") if part]

    @property
    def ancestor_ids(self) -> list[int]:
        """This union and every union above it, root first, read from ``path`` (no query)."""
        return self.ids_in_path(self.path)

    @property
    def root_id(self) -> int:
        """The top of the tree this union belongs to (itself at the top)."""
        return self.ancestor_ids[0]


class SocialOrganisation(models.Model):
    """A contracted third-party social organisation (第三方社会组织) that does 复审."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    contracted_by = models.ForeignKey(
        Union, verbose_name=_("签约工会"), on_delete=models.PROTECT, related_name="social_organisations"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("第三方社会组织")
        verbose_name_plural = _("第三方社会组织")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    GRASSROOTS_STAFF = "grassroots_staff", _("基层工会干事")
    CASEWORKER = "caseworker", _("入户走访员")
    THIRD_PARTY_REVIEWER = "third_party_reviewer", _("第三方复审员")
    CENTRE_STAFF = "centre_staff", _("帮扶中心工作人员")
    FUND_APPROVER = "fund_approver", _("资金审批人")
    DISCIPLINE_OBSERVER = "discipline_observer", _("纪检监督员")
    ENTERPRISE_CONTACT = "enterprise_contact", _("爱心企业联系人")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")


class RoleAssignment(models.Model):
    """A user holds ``role`` at ``union``, and so acts on that union and those below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    union = models.ForeignKey(Union, verbose_name=_("工会"), on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        SocialOrganisation,
        verbose_name=_("所属社会组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviewers",
    )

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "union", "role"], name="role_assignment_unique"),
            # A third-party reviewer always speaks for one organisation; nobody else does.
            models.CheckConstraint(
                condition=(
                    models.Q(role="third_party_reviewer", organisation__isnull=False)
                    | (~models.Q(role="third_party_reviewer") & models.Q(organisation__isnull=True))
                ),
                name="role_assignment_organisation_iff_third_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.union}"


class AuditEventQuerySet(models.QuerySet):
    """Audit events are append-only: the queryset refuses bulk edits and deletes."""

    def update(self, **kwargs):
        raise PermissionError("audit events cannot be changed")

    def delete(self):
        raise PermissionError("audit events cannot be deleted")

    def erase(self, values: list[str]) -> int:
        """销毁's one exemption (``hardship.erasure``): the personal ``values`` scrubbed out of the events'
        ``target_repr`` and ``changes``; the verb, actor, target, union and time never change. On
        PostgreSQL the append-only trigger lets it through inside the erasure window only."""
        erased = 0
        for pk, shown, changes in self.values_list("pk", "target_repr", "changes"):
            after = scrubbed(shown, values), scrubbed(changes, values)
            if after != (shown, changes):
                models.QuerySet.update(self.model.objects.filter(pk=pk), target_repr=after[0], changes=after[1])
                erased += 1
        return erased


class AuditEvent(models.Model):
    """Who did what to which record, when; ``changes`` holds field → [old, new], masked.

    Written only by ``hardship.services.audit_record``; never edited or deleted
    (a database trigger on PostgreSQL enforces that too).
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    verb = models.CharField(_("操作"), max_length=60, db_index=True)
    target_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    union = models.ForeignKey(
        Union, verbose_name=_("所属工会"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changes = models.JSONField(_("变更内容"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计事件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit events cannot be deleted")


class Notification(models.Model):
    """In-app notice that something landed in a user's queue (the bell in the navbar)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    text = models.CharField(_("内容"), max_length=200)
    url = models.CharField(_("链接"), max_length=200)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.text


class CalendarDay(models.Model):
    """One day of the State Council's yearly holiday notice: a 法定节假日, or a 调休 weekend worked.

    Working days are Monday to Friday, minus the holidays, plus the 调休 workdays
    (hardship.dates). A year without any row is counted by weekends only, and the
    pages that show a date computed from it say so. Edited by the system admin in
    the Django admin, through hardship.services (audited).
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("放假")
        WORKDAY = "workday", _("调休上班")

    day = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("节日"), max_length=30)

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name} {self.get_kind_display()}"


class ExportJob(models.Model):
    """A file the portal writes for one user in a worker (a large household list, a bank file).

    Written by a Celery task into the storage, streamed (memory flat in its size), kept for 24 hours
    and downloaded only by its owner while they still hold ``roles`` over ``union`` (each download an
    audit event). What a kind writes is registered by its app (hardship.exports).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("可下载")
        FAILED = "failed", _("生成失败")

    kind = models.CharField(_("类型"), max_length=30)
    title = models.CharField(_("名称"), max_length=200)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.CASCADE,
                              related_name="+")  # fmt: skip
    # Checked again at each download: the owner still holds one of these roles over this union.
    union = models.ForeignKey(Union, verbose_name=_("工会"), on_delete=models.CASCADE, related_name="+")
    roles = models.JSONField(_("所需角色"), default=list)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(_("行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/%Y%m%d/", max_length=200, blank=True)
    filename = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=100)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)

    class Meta:
        verbose_name = _("导出文件")
        verbose_name_plural = _("导出文件")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "created_at"], name="exportjob_owner_created")]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | ~Q(file=""), name="exportjob_done_has_file"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, round(100 * self.rows_done / self.rows_total))
