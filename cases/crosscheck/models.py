"""信息比对: consents, registries, requests, result files, findings, dated flag rules and flags."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hardship.models import Union


class RegistryKind(models.TextChoices):
    DIBAO = "dibao", _("民政低保/特困")
    PROPERTY = "property", _("不动产登记")
    VEHICLE = "vehicle", _("车辆登记")
    BUSINESS = "business", _("市场监管（工商登记）")
    SOCIAL = "social", _("社保（缴费与养老金）")


# What a request file may carry per person, and the result fields each kind of registry returns.
REQUEST_COLUMNS = {
    "name": _("姓名"),
    "id_number": _("身份证号"),
    "relation": _("与户主关系"),
    "household": _("家庭编号"),
}
RESULT_FIELDS = {
    RegistryKind.DIBAO: ("id_number", "roll"),
    RegistryKind.PROPERTY: ("id_number", "count", "area"),
    RegistryKind.VEHICLE: ("id_number", "count"),
    RegistryKind.BUSINESS: ("id_number", "role", "capital"),
    RegistryKind.SOCIAL: ("id_number", "pension", "contribution"),
}
# The result fields in words (a finding's data on the flag page).
RESULT_LABELS = {
    "roll": _("救助类别"), "count": _("数量"), "area": _("建筑面积合计（平方米）"), "role": _("任职/出资身份"),
    "capital": _("认缴出资额（元）"), "pension": _("月养老金（元）"), "contribution": _("月缴费额（元）"),
}  # fmt: skip
NUMERIC_RESULT_FIELDS = {"count", "area", "capital", "pension", "contribution"}


class Registry(models.Model):
    """A registry centre reached by file exchange: the request layout it expects and its result columns."""

    code = models.CharField(_("代码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("比对类别"), max_length=20, choices=RegistryKind.choices)
    request_columns = models.JSONField(
        _("申请文件列"), default=list, help_text=_("按顺序列出：name、id_number、relation、household")
    )
    result_columns = models.JSONField(
        _("结果文件列对应"), default=dict, help_text=_('结果字段 → 结果文件中的列标题，如 {"id_number": "身份证号"}')
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("比对部门")
        verbose_name_plural = _("比对部门")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """One member's signed 家庭经济状况核对授权书: which registries, signed when, valid until when."""

    member = models.ForeignKey("cases.Member", verbose_name=_("成员"), on_delete=models.PROTECT,
                               related_name="consents")  # fmt: skip
    household = models.ForeignKey("cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  related_name="consents")  # fmt: skip
    attachment = models.ForeignKey("cases.Attachment", verbose_name=_("授权书"), on_delete=models.PROTECT,
                                   related_name="consents")  # fmt: skip
    signed_on = models.DateField(_("签署日期"))
    valid_until = models.DateField(_("有效期至"))
    registries = models.ManyToManyField(Registry, verbose_name=_("授权核对范围"), related_name="consents")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核对授权")
        verbose_name_plural = _("核对授权")
        ordering = ["-signed_on", "-id"]
        indexes = [models.Index(fields=["member", "valid_until"], name="consent_member_valid")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("signed_on")),
                name="consent_dates_ordered",
                violation_error_message=_("有效期不能早于签署日期。"),
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.signed_on}"


class RequestScope(models.TextChoices):
    SECOND_REVIEW = "second_review", _("复审中的家庭")
    YEARLY_DUE = "yearly_due", _("年度复核到期的在档家庭")
    UNION = "union", _("本工会全部在档家庭")


class CheckRequest(models.Model):
    """发起核对: who sent which people (under which consents) to which registries, and when."""

    union = models.ForeignKey(Union, verbose_name=_("工会"), on_delete=models.PROTECT, related_name="+")
    scope = models.CharField(_("核对范围"), max_length=20, choices=RequestScope.choices)
    registries = models.ManyToManyField(Registry, verbose_name=_("比对部门"), related_name="requests")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                   related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    households = models.PositiveIntegerField(_("户数"), default=0)
    people = models.PositiveIntegerField(_("人数"), default=0)
    excluded_count = models.PositiveIntegerField(_("未授权排除人数"), default=0)
    excluded = models.JSONField(_("未授权排除名单"), default=list, blank=True)

    class Meta:
        verbose_name = _("核对申请")
        verbose_name_plural = _("核对申请")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_scope_display()}"


class RequestPerson(models.Model):
    """A person sent in a request, under the consent that allowed it (the row results are matched against)."""

    request = models.ForeignKey(CheckRequest, on_delete=models.CASCADE, related_name="persons")
    registry = models.ForeignKey(Registry, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("cases.Member", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("cases.Household", on_delete=models.PROTECT, related_name="+")
    consent = models.ForeignKey(Consent, null=True, on_delete=models.PROTECT, related_name="+")
    id_number = models.CharField(_("身份证号"), max_length=18)

    class Meta:
        verbose_name = _("核对对象")
        verbose_name_plural = _("核对对象")
        constraints = [models.UniqueConstraint(fields=["request", "registry", "id_number"], name="request_person_once")]


class ResultUpload(models.Model):
    """比对结果: one registry's result file for a request, and what matched."""

    request = models.ForeignKey(CheckRequest, verbose_name=_("核对申请"), on_delete=models.PROTECT,
                                related_name="results")  # fmt: skip
    registry = models.ForeignKey(Registry, verbose_name=_("比对部门"), on_delete=models.PROTECT, related_name="+")
    result_date = models.DateField(_("结果日期"))
    original_name = models.CharField(_("原文件名"), max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    matched = models.PositiveIntegerField(_("匹配人数"), default=0)
    unmatched_count = models.PositiveIntegerField(_("未匹配行数"), default=0)
    malformed_count = models.PositiveIntegerField(_("格式错误行数"), default=0)
    unmatched = models.JSONField(_("未匹配行（前 200 行）"), default=list, blank=True)
    malformed = models.JSONField(_("格式错误行（前 200 行）"), default=list, blank=True)
    flags = models.PositiveIntegerField(_("疑点数"), default=0)
    seconds = models.FloatField(_("用时（秒）"), default=0)
    history_written = models.BooleanField(_("已写入档案历史"), default=False)

    class Meta:
        verbose_name = _("比对结果")
        verbose_name_plural = _("比对结果")
        ordering = ["-id"]


class Finding(models.Model):
    """What a registry says about one member, with its source and date (kind-specific data)."""

    upload = models.ForeignKey(ResultUpload, verbose_name=_("比对结果"), on_delete=models.PROTECT,
                               related_name="findings")  # fmt: skip
    # Indexes kept to what is read (a roll inserts thousands of rows at once): by upload, by household and kind.
    household = models.ForeignKey("cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  related_name="xcheck_findings", db_index=False)  # fmt: skip
    member = models.ForeignKey("cases.Member", verbose_name=_("成员"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)  # fmt: skip
    kind = models.CharField(_("比对类别"), max_length=20, choices=RegistryKind.choices)
    found_on = models.DateField(_("结果日期"))
    row_number = models.PositiveIntegerField(_("结果文件行号"))
    data = models.JSONField(_("比对内容"), default=dict)

    class Meta:
        verbose_name = _("比对发现")
        verbose_name_plural = _("比对发现")
        ordering = ["id"]
        indexes = [models.Index(fields=["household", "kind"], name="finding_household_kind")]


class FlagRuleSet(models.Model):
    """Dated rules (like the standards) turning findings into flags, per union and its nearest ancestor."""

    union = models.ForeignKey(Union, verbose_name=_("适用工会"), on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(_("生效日期"))
    min_properties = models.PositiveSmallIntegerField(_("住房套数达到（套）"), default=2)
    average_area = models.DecimalField(_("当地人均住房面积（平方米）"), max_digits=8, decimal_places=2)
    flag_vehicle = models.BooleanField(_("拥有机动车（残疾人除外）"), default=True)
    flag_business = models.BooleanField(_("控制企业（法定代表人、控股股东）"), default=True)
    business_roles = models.JSONField(_("视为控制企业的身份"), default=list)
    flag_pension = models.BooleanField(_("养老金使困难类别变化"), default=True)
    flag_dibao = models.BooleanField(_("在低保/特困名单"), default=True)
    note = models.CharField(_("依据文件"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("比对疑点规则")
        verbose_name_plural = _("比对疑点规则")
        ordering = ["-effective_from"]
        constraints = [models.UniqueConstraint(fields=["union", "effective_from"], name="flag_rules_one_per_day")]

    def __str__(self) -> str:
        return f"{self.union} {self.effective_from:%Y-%m-%d}"


class FlagCode(models.TextChoices):
    DIBAO = "dibao", _("在低保/特困名单")
    PROPERTIES = "properties", _("两套及以上住房且人均面积超过当地平均")
    VEHICLE = "vehicle", _("拥有机动车")
    BUSINESS = "business", _("控制企业")
    PENSION = "pension", _("养老金使困难类别变化")


class FlagStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    CONFIRMED = "confirmed", _("已确认")
    DISMISSED = "dismissed", _("已排除")


class FlagOutcome(models.TextChoices):
    CHANGE = "change", _("提出变更申请（新收入）")
    EXIT = "exit", _("列入待退出")
    RETURN = "return", _("退回复审")


class Flag(models.Model):
    """A finding a rule marks for adjudication; while open, its household is held from batches."""

    household = models.ForeignKey("cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT,
                                  related_name="xcheck_flags")  # fmt: skip
    # By finding: the unique (finding, code) index serves it.
    finding = models.ForeignKey(Finding, verbose_name=_("比对发现"), on_delete=models.PROTECT, related_name="flags",
                                db_index=False)  # fmt: skip
    code = models.CharField(_("疑点"), max_length=20, choices=FlagCode.choices)
    detail = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(_("计算依据"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=FlagStatus.choices, default=FlagStatus.OPEN)
    outcome = models.CharField(_("处理结果"), max_length=20, choices=FlagOutcome.choices, blank=True, default="")
    reason = models.CharField(_("处理意见"), max_length=500, blank=True)
    change_request = models.ForeignKey("cases.ChangeRequest", verbose_name=_("变更申请"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+", db_index=False)  # fmt: skip
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("比对疑点")
        verbose_name_plural = _("比对疑点")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["finding", "code"], name="flag_once_per_finding"),
            models.CheckConstraint(condition=Q(status="open") | Q(decided_by__isnull=False), name="flag_decided_by"),
            models.CheckConstraint(condition=~Q(status="dismissed") | ~Q(reason=""), name="flag_dismiss_reason"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_code_display()}"


DEFAULT_BUSINESS_ROLES = ["法定代表人", "控股股东", "实际控制人"]

# The registries a city starts with (code, name, kind, request columns, result columns): the migration
# and the demo seed them; the system administrator edits them in the admin.
DEFAULT_REGISTRIES = [
    ("minzheng", "民政低保/特困名单", RegistryKind.DIBAO, ["name", "id_number", "relation", "household"],
     {"id_number": "身份证号", "roll": "救助类别"}),
    ("budongchan", "不动产登记", RegistryKind.PROPERTY, ["name", "id_number"],
     {"id_number": "身份证号", "count": "房产套数", "area": "建筑面积合计"}),
    ("cheliang", "车辆登记", RegistryKind.VEHICLE, ["name", "id_number"], {"id_number": "身份证号", "count": "车辆数"}),
    ("shichang", "市场监管", RegistryKind.BUSINESS, ["name", "id_number"],
     {"id_number": "身份证号", "role": "任职/出资身份", "capital": "认缴出资额"}),
    ("shebao", "社保", RegistryKind.SOCIAL, ["name", "id_number", "household"],
     {"id_number": "身份证号", "pension": "月养老金", "contribution": "月缴费额"}),
]  # fmt: skip
