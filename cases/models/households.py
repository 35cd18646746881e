"""Household files (一户一档): the household, its members, attachments and the city's standards."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardship.choices import ChoiceLabels
from hardship.masking import mask_card, mask_id_number
from hardship.models import Union
from hardship.money import MONEY_FIELD, money

MONEY = MONEY_FIELD


class Tier(models.TextChoices):
    """困难类别, in order of priority (特困 first)."""

    EXTREME = "extreme", _("特困")
    DEEP = "deep", _("深度困难")
    RELATIVE = "relative", _("相对困难")
    SUDDEN = "sudden", _("意外致困")
    NONE = "none", _("不符合")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    FIRST_REVIEW = "first_review", _("初审中")
    RETURNED = "returned", _("退回补正")
    SECOND_REVIEW = "second_review", _("复审中")
    PUBLIC_NOTICE = "public_notice", _("公示中")
    FILED = "filed", _("已建档")
    REJECTED = "rejected", _("不予受理")
    EXITED = "exited", _("已脱困/解困")
    REOPENED = "reopened", _("返困重启")
    CLOSED = "closed", _("已注销")


# A file that is not live frees its members to be on another file.
NOT_LIVE_STATUSES = (Status.REJECTED, Status.CLOSED)


class CloseReason(models.TextChoices):
    """注销原因: why a file leaves the active archive for 注销库."""

    TEMPORARY_NOT_CONFIRMED = "temporary_not_confirmed", _("临时档案逾期未转正")
    DECEASED = "deceased", _("户主死亡/家庭消亡")
    DUPLICATE = "duplicate", _("重复建档")
    FALSE_INFORMATION = "false_information", _("信息不实")
    MOVED_AWAY = "moved_away", _("迁出本地")
    OTHER = "other", _("其他")


class Source(models.TextChoices):
    """How the application came in: entered by union staff, or submitted by the worker online (网上申请)."""

    OFFICE = "office", _("工会录入")
    ONLINE = "online", _("网上申请")


class ExitKind(models.TextChoices):
    OUT_OF_HARDSHIP = "out_of_hardship", _("脱困")
    RELIEVED = "relieved", _("解困")


class Cause(models.TextChoices):
    """致困原因: the national list."""

    NO_WORK_ABILITY = "no_work_ability", _("无劳动能力")
    ABLE_UNEMPLOYED = "able_unemployed", _("有劳动能力而未就业")
    LAID_OFF = "laid_off", _("下岗失业")
    NO_SOCIAL_INSURANCE = "no_social_insurance", _("未参加社会保险")
    INSURANCE_NOT_PAID = "insurance_not_paid", _("社会保险待遇落实不到位")
    SERIOUS_ILLNESS = "serious_illness", _("患重特大疾病")
    NATURAL_DISASTER = "natural_disaster", _("遭受自然灾害")
    ACCIDENT = "accident", _("遭受意外事故")
    SCHOOLING = "schooling", _("子女上学")
    OTHER = "other", _("其他")


class Housing(models.TextChoices):
    OWNED = "owned", _("自有住房")
    RENTED = "rented", _("租房")
    PUBLIC = "public", _("公租房/廉租房")
    LODGING = "lodging", _("借住亲友")
    OTHER = "other", _("其他")


class Relation(models.TextChoices):
    SELF = "self", _("本人（户主）")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("慢性病")
    CANCER = "cancer", _("恶性肿瘤")
    URAEMIA = "uraemia", _("尿毒症")
    LEUKAEMIA = "leukaemia", _("白血病")
    SEVERE_MENTAL = "severe_mental", _("重性精神疾病")
    ORGAN_TRANSPLANT = "organ_transplant", _("器官移植")
    OTHER_SERIOUS = "other_serious", _("其他重特大疾病")


SERIOUS_HEALTH = (
    Health.CANCER,
    Health.URAEMIA,
    Health.LEUKAEMIA,
    Health.SEVERE_MENTAL,
    Health.ORGAN_TRANSPLANT,
    Health.OTHER_SERIOUS,
)


class Disability(models.TextChoices):
    NONE = "none", _("无")
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class WorkStatus(models.TextChoices):
    EMPLOYED = "employed", _("在职")
    FLEXIBLE = "flexible", _("灵活就业")
    UNEMPLOYED = "unemployed", _("失业/未就业")
    RETIRED = "retired", _("退休")
    STUDENT = "student", _("在校学生")
    PRESCHOOL = "preschool", _("学龄前")
    UNABLE = "unable", _("无劳动能力")
    OTHER = "other", _("其他")


class SchoolLevel(models.TextChoices):
    NONE = "", _("—")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中职")
    UNIVERSITY = "university", _("大学")


class MedicalInsurance(models.TextChoices):
    EMPLOYEE = "employee", _("职工医保")
    RESIDENT = "resident", _("居民医保")
    NONE = "none", _("未参保")


class HardshipStandard(models.Model):
    """The city's standards in force from ``effective_from``: 低保, the 特困 line, multiples.

    Never edited once in force: a new figure is a new record with a later date,
    so the tier of any past day can be recomputed.
    """

    union = models.ForeignKey(Union, verbose_name=_("适用工会"), on_delete=models.PROTECT, related_name="+")
    effective_from = models.DateField(_("生效日期"))
    dibao_monthly = models.DecimalField(_("低保标准（元/人/月）"), **MONEY)
    extreme_line_monthly = models.DecimalField(
        _("特困认定线（元/人/月）"), null=True, blank=True, help_text=_("不设特困档的城市留空"), **MONEY
    )
    deep_multiple = models.DecimalField(_("深度困难：低保倍数"), max_digits=4, decimal_places=2, default=Decimal("1"))
    relative_multiple = models.DecimalField(
        _("相对困难：低保倍数"), max_digits=4, decimal_places=2, default=Decimal("2")
    )
    sudden_cost_ratio = models.DecimalField(
        _("意外致困：支出占年收入比例"), max_digits=4, decimal_places=2, default=Decimal("0.80")
    )
    minimum_wage_monthly = models.DecimalField(_("最低工资（元/月，用于推算）"), **MONEY)
    note = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("困难认定标准")
        verbose_name_plural = _("困难认定标准")
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "effective_from"],
                name="standard_one_per_day",
                violation_error_message=_("该工会在这一天已有一条标准，请选择其他生效日期。"),
            ),
            models.CheckConstraint(
                condition=Q(dibao_monthly__gt=0),
                name="standard_dibao_positive",
                violation_error_message=_("低保标准必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(relative_multiple__gte=models.F("deep_multiple")),
                name="standard_multiples_ordered",
                violation_error_message=_("相对困难倍数不能小于深度困难倍数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.union} {self.effective_from:%Y-%m-%d} 低保 {self.dibao_monthly}"


# Conditions of the dashboard's partial date indexes.
FILED = Q(filed_at__isnull=False)
EXITED = Q(exited_at__isnull=False)


class Household(ChoiceLabels, models.Model):
    """One household's file. The head (户主) is also its first Member row."""

    union = models.ForeignKey(Union, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="households")
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    file_number = models.CharField(_("职工编号"), max_length=30, blank=True, default="")

    head_name = models.CharField(_("户主姓名"), max_length=50)
    head_id_number = models.CharField(_("户主身份证号"), max_length=18)
    phone = models.CharField(_("联系电话"), max_length=20)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    hukou_location = models.CharField(_("户口所在地"), max_length=100, blank=True)
    address = models.CharField(_("家庭住址"), max_length=200)
    housing = models.CharField(_("住房情况"), max_length=20, choices=Housing.choices, default=Housing.OWNED)

    # Income is recorded per member and source (Member.income_*): the household's is their sum.
    # 刚性支出 of the last 12 months (元/年), deducted from income.
    expense_medical = models.DecimalField(_("医疗支出"), default=Decimal("0"), **MONEY)
    expense_disability = models.DecimalField(_("残疾康复支出"), default=Decimal("0"), **MONEY)
    expense_schooling = models.DecimalField(_("教育支出"), default=Decimal("0"), **MONEY)
    expense_housing = models.DecimalField(_("住房支出"), default=Decimal("0"), **MONEY)
    sudden_event_cost = models.DecimalField(_("突发事件支出"), default=Decimal("0"), **MONEY)
    sudden_event_note = models.CharField(_("突发事件说明"), max_length=200, blank=True)

    main_cause = models.CharField(_("主要致困原因"), max_length=30, choices=Cause.choices)
    secondary_causes = models.JSONField(_("次要致困原因"), default=list, blank=True)
    single_parent = models.BooleanField(_("单亲家庭"), default=False)

    bank_name = models.CharField(_("开户银行"), max_length=50, blank=True)
    bank_branch = models.CharField(_("开户支行"), max_length=100, blank=True)
    bank_card = models.CharField(_("银行卡号"), max_length=19, blank=True)
    bank_card_luhn_ok = models.BooleanField(_("卡号校验通过"), default=True)

    # Derived, written only by cases.services.household_recompute.
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    imputed_members = models.PositiveSmallIntegerField(_("按最低工资推算人数"), default=0)
    annual_income = models.DecimalField(_("家庭年收入（含推算）"), default=Decimal("0"), **MONEY)
    per_capita_income = models.DecimalField(_("人均月收入"), default=Decimal("0"), **MONEY)
    tier = models.CharField(_("困难类别"), max_length=20, choices=Tier.choices, default=Tier.NONE)
    standard = models.ForeignKey(
        HardshipStandard,
        verbose_name=_("认定依据"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    # A worker's online application has no staff submitter (submitted_by stays empty): the worker is
    # its submitter, so every staff member of the union may give its 初审 (cases.review.workflow).
    source = models.CharField(_("申请方式"), max_length=10, choices=Source.choices, default=Source.OFFICE)

    # The review chain (written only by cases.review.services).
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    first_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("初审人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    second_review_org = models.ForeignKey(
        "hardship.SocialOrganisation", verbose_name=_("复审机构"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="assigned_households",
    )  # fmt: skip
    second_review_due = models.DateField(_("复审期限"), null=True, blank=True)
    second_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("复审人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    notice_start = models.DateField(_("公示开始"), null=True, blank=True)
    notice_end = models.DateField(_("公示结束"), null=True, blank=True)
    filed_at = models.DateField(_("建档日期"), null=True, blank=True)
    next_review_due = models.DateField(_("下次年度复核"), null=True, blank=True)
    exit_kind = models.CharField(_("退出方式"), max_length=20, choices=ExitKind.choices, blank=True, default="")
    exit_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    exited_at = models.DateField(_("退出日期"), null=True, blank=True)
    # The archive's life cycle (cases.archive): a 临时档案 (意外致困) until 转正 or 注销; 注销库; destruction.
    temporary_until = models.DateField(_("临时档案期限"), null=True, blank=True)
    confirmed_at = models.DateField(_("转正日期"), null=True, blank=True)
    closed_at = models.DateField(_("注销日期"), null=True, blank=True)
    close_reason = models.CharField(_("注销原因"), max_length=30, choices=CloseReason.choices, blank=True, default="")
    close_note = models.CharField(_("注销说明"), max_length=200, blank=True)
    destroyed_at = models.DateTimeField(_("销毁（匿名化）时间"), null=True, blank=True)

    version = models.PositiveIntegerField(_("版本"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建档人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("家庭档案")
        verbose_name_plural = _("家庭档案")
        ordering = ["-id"]
        # The list filters on one of these, always with the scope (union_id IN …), and pages by -id:
        # (filter, -id) serves the page in order; the union as an INCLUDE column lets the capped
        # count (10,001 rows) run as an index-only scan instead of fetching every row from the table.
        # Prefix searches (head_name, phone: LIKE 'x%') need varchar_pattern_ops: the database's
        # collation (C.UTF-8 / a locale) cannot use a plain b-tree for LIKE.
        indexes = [
            models.Index(fields=["union", "-id"], name="household_union_id"),
            models.Index(fields=["tier", "-id"], name="household_tier_id", include=["union"]),
            models.Index(fields=["status", "-id"], name="household_status_id", include=["union"]),
            models.Index(fields=["main_cause", "-id"], name="household_cause_id", include=["union"]),
            models.Index(
                fields=["head_name"], name="household_name_prefix", opclasses=["varchar_pattern_ops"], include=["union"]
            ),
            models.Index(fields=["phone"], name="household_phone_prefix", opclasses=["varchar_pattern_ops"]),
            # The list's other sorts (per_capita, -per_capita, name), each with -id as the tie-break.
            models.Index(fields=["per_capita_income", "-id"], name="household_per_capita_id"),
            models.Index(fields=["head_name", "-id"], name="household_name_id"),
            models.Index(fields=["head_id_number"], name="household_head_id"),
            models.Index(fields=["status", "second_review_org"], name="household_review_queue"),
            models.Index(fields=["next_review_due"], name="household_yearly_due", condition=Q(status="filed")),
            # The dashboard's files and exits per month and the exit rate: range scans on these dates,
            # index-only with the union included (partial: most rows of a draft-heavy table have neither).
            # The dashboard's one GROUP BY status, tier, main_cause: an index-only scan of this.
            models.Index(fields=["status", "tier", "main_cause"], name="household_dashboard", include=["union"]),
            models.Index(fields=["filed_at"], name="household_filed_at", include=["union"], condition=FILED),
            models.Index(fields=["exited_at"], name="household_exited_at", include=["union"], condition=EXITED),
            # The 临时档案 queue (only the temporary files are in it) and the retention task (closed files).
            models.Index(
                fields=["temporary_until"],
                name="household_temporary_due",
                condition=Q(status="filed", temporary_until__isnull=False, confirmed_at__isnull=True),
            ),
            models.Index(fields=["closed_at"], name="household_closed_at", condition=Q(closed_at__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["file_number"], condition=~Q(file_number=""), name="household_file_number_unique"
            ),
            models.CheckConstraint(condition=Q(member_count__gte=1), name="household_has_members"),
            # A closed file (注销库) says when and why; only closed files carry a closing date.
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False) & ~Q(close_reason="")
                | ~Q(status="closed") & Q(closed_at__isnull=True),
                name="household_closed_has_date_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.head_name}户（{self.union}）"

    @property
    def masked_head_id_number(self) -> str:
        return mask_id_number(self.head_id_number)

    @property
    def masked_bank_card(self) -> str:
        return mask_card(self.bank_card)

    # get_tier_display() / get_status_display() hash every lazy label of the choices on each
    # call (about 0.3 ms a row in zh-hans); a list of 25 rows uses these enum lookups instead.
    @property
    def tier_label(self) -> str:
        return _choice_label(Tier, self.tier)

    @property
    def status_label(self) -> str:
        return _choice_label(Status, self.status)

    @property
    def is_temporary(self) -> bool:
        """A 临时档案 (意外致困) not yet confirmed (转正) nor closed."""
        return self.status == Status.FILED and self.temporary_until is not None and self.confirmed_at is None

    @property
    def temporary_overdue(self) -> bool:
        return self.is_temporary and self.temporary_until < timezone.localdate()

    @property
    def rigid_expenses(self) -> Decimal:
        return self.expense_medical + self.expense_disability + self.expense_schooling + self.expense_housing

    @property
    def recorded_income(self) -> Decimal:
        """The household's income of the last 12 months: the sum of its members' sources (元/年)."""
        return sum((m.annual_income for m in current_members(self)), Decimal("0"))

    def income_by_source(self) -> list[tuple[str, object, Decimal]]:
        """(field, label, the members' sum) per source: the household totals the page and the print show."""
        members = current_members(self)
        return [(f, label, sum((getattr(m, f) for m in members), Decimal("0"))) for f, label in income_sources()]


def current_members(household: "Household") -> list["Member"]:
    """The members now on the file: the page's prefetched rows when there are some, else a query."""
    prefetched = getattr(household, "_prefetched_objects_cache", {}).get("members")
    if prefetched is not None:
        return [m for m in prefetched if not m.removed]
    if household.pk is None:
        return []
    return list(household.members.filter(removed=False))


def _choice_label(choices: type[models.TextChoices], value: str) -> str:
    try:
        return choices(value).label
    except ValueError:
        return value


class Member(ChoiceLabels, models.Model):
    """A person in a household. One person (身份证号) is on one live file only."""

    household = models.ForeignKey(Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="members")
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices)
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))], editable=False)
    birth_date = models.DateField(_("出生日期"), editable=False)
    health = models.CharField(_("健康状况"), max_length=20, choices=Health.choices, default=Health.HEALTHY)
    disability = models.CharField(_("残疾类别"), max_length=20, choices=Disability.choices, default=Disability.NONE)
    work_status = models.CharField(_("就业/就学状况"), max_length=20, choices=WorkStatus.choices)
    school_level = models.CharField(_("就学阶段"), max_length=20, choices=SchoolLevel.choices, blank=True, default="")
    # Income of the last 12 months by source (元/年); the household's income is the sum over its members.
    income_wages = models.DecimalField(_("工资性收入"), default=Decimal("0"), **MONEY)
    income_business = models.DecimalField(_("经营性收入"), default=Decimal("0"), **MONEY)
    income_property = models.DecimalField(_("财产性收入"), default=Decimal("0"), **MONEY)
    income_transfer = models.DecimalField(_("转移性收入"), default=Decimal("0"), **MONEY)
    income_pension = models.DecimalField(_("养老金"), default=Decimal("0"), **MONEY)
    income_union_aid = models.DecimalField(_("工会帮扶收入"), default=Decimal("0"), **MONEY)
    medical_insurance = models.CharField(
        _("医保"), max_length=20, choices=MedicalInsurance.choices, default=MedicalInsurance.RESIDENT
    )
    # Removed from the file by an edit (kept for the history, never deleted).
    removed = models.BooleanField(_("已移出"), default=False)
    # False when the member was removed or the file is not live: frees the person.
    is_live = models.BooleanField(_("在档"), default=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["household_id", "position", "id"]
        constraints = [
            # One live file per person, across all unions.
            models.UniqueConstraint(fields=["id_number"], condition=Q(is_live=True), name="member_one_live_file"),
        ]
        indexes = [models.Index(fields=["id_number"], name="member_id_number")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def annual_income(self) -> Decimal:
        """This member's income of the last 12 months, all sources (元/年)."""
        return sum((getattr(self, f) for f in INCOME_SOURCES), Decimal("0"))

    def income_parts(self) -> list[tuple[object, Decimal]]:
        """(label, 元/年) of the sources this member has income from."""
        return [(label, getattr(self, f)) for f, label in income_sources() if getattr(self, f)]

    @property
    def monthly_income(self) -> Decimal:
        """The same figure a month (元/月), as the visit form and the member table show it."""
        return money(self.annual_income / 12)


# The sources of a member's income (元/年), in the order every form, sheet and page shows them.
INCOME_SOURCES = ("income_wages", "income_business", "income_property", "income_transfer", "income_pension",
                  "income_union_aid")  # fmt: skip


def income_sources() -> list[tuple[str, object]]:
    """(field, label) per income source."""
    return [(f, Member._meta.get_field(f).verbose_name) for f in INCOME_SOURCES]


def attachment_path(instance: "Attachment", filename: str) -> str:
    return f"households/{instance.household_id}/{filename}"


class Attachment(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        INCOME_PROOF = "income_proof", _("收入证明")
        MEDICAL = "medical", _("病历/医疗费用单据")
        DISABILITY = "disability", _("残疾证")
        AUTHORISATION = "authorisation", _("家庭经济状况核对授权书")
        ID_CARD = "id_card", _("身份证/户口本")
        OTHER = "other", _("其他")

    household = models.ForeignKey(
        Household, verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="attachments"
    )
    kind = models.CharField(_("材料类型"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件格式"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
