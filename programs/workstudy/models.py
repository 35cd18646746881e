"""关爱·圆梦 work-study: caring enterprises, vacation seasons, positions, applications, placements."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hardship.dates import age_on
from hardship.masking import mask_id_number
from hardship.models import Union
from hardship.money import MONEY_FIELD

from .matching import ADULT_AGE, MAX_PREFERENCES

MONEY = MONEY_FIELD
DEFAULT_MIN_AGE = 16

__all__ = [
    "Application",
    "ApplicationKind",
    "Enterprise",
    "MatchRun",
    "Placement",
    "PlacementStatus",
    "Position",
    "PositionStatus",
    "Preference",
    "Result",
    "SafetyClass",
    "Season",
    "SeasonStatus",
    "Term",
]


class Enterprise(models.Model):
    """爱心企业: offers vacation positions, signs the agreement and insures the students."""

    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    union = models.ForeignKey(
        Union, verbose_name=_("所属工会"), on_delete=models.PROTECT, related_name="caring_enterprises"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("企业登录账号"), blank=True, related_name="workstudy_enterprises"
    )
    agreement_signed_on = models.DateField(_("合作协议签订日期"), null=True, blank=True)
    agreement_number = models.CharField(_("协议编号"), max_length=50, blank=True)
    insurer = models.CharField(_("承保保险公司"), max_length=100, blank=True)
    insurance_policy = models.CharField(_("保单号"), max_length=50, blank=True)
    insurance_valid_from = models.DateField(_("保险起期"), null=True, blank=True)
    insurance_valid_until = models.DateField(_("保险止期"), null=True, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("爱心企业")
        verbose_name_plural = _("爱心企业")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(insurance_valid_from__isnull=True)
                | Q(insurance_valid_until__isnull=True)
                | Q(insurance_valid_until__gte=F("insurance_valid_from")),
                name="enterprise_insurance_dates_ordered",
                violation_error_message=_("保险止期不能早于起期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def insurance_covers(self, start: date, end: date) -> bool:
        return bool(
            self.insurance_policy
            and self.insurance_valid_from
            and self.insurance_valid_until
            and self.insurance_valid_from <= start
            and end <= self.insurance_valid_until
        )


class Term(models.TextChoices):
    WINTER = "winter", _("寒假")
    SUMMER = "summer", _("暑假")


class SeasonStatus(models.TextChoices):
    OPEN = "open", _("征集岗位与报名")
    MATCHED = "matched", _("已匹配，待发布")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("已结束")


# What may happen in each state: programs/workstudy/workflow.py.


class Season(models.Model):
    """One vacation (寒假 / 暑假 of a year) run by a union: its dates and its age rule."""

    union = models.ForeignKey(Union, verbose_name=_("组织工会"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    term = models.CharField(_("假期"), max_length=10, choices=Term.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    min_age = models.PositiveSmallIntegerField(
        _("最低年龄（周岁）"),
        default=DEFAULT_MIN_AGE,
        help_text=_("按本期开始日计算；多数城市为 16 周岁，部分城市为 18 周岁。"),
    )
    status = models.CharField(_("状态"), max_length=20, choices=SeasonStatus.choices, default=SeasonStatus.OPEN)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("勤工助学假期")
        verbose_name_plural = _("勤工助学假期")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["union", "year", "term"],
                name="season_one_per_union_term",
                violation_error_message=_("该工会这一年的这个假期已经建立。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")),
                name="season_dates_ordered",
                violation_error_message=_("结束日期必须晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(min_age__gte=16) & Q(min_age__lte=30),
                name="season_min_age_lawful",
                violation_error_message=_("最低年龄应在 16 至 30 周岁之间（不得招用未满 16 周岁的未成年人）。"),
            ),
        ]

    def __str__(self) -> str:
        # Translators: a work-study season, e.g. "2026年寒假"; the word order differs by language.
        return gettext("%(year)s年%(term)s") % {"year": self.year, "term": self.get_term_display()}


class SafetyClass(models.TextChoices):
    NORMAL = "normal", _("普通岗位")
    ADULTS_ONLY = "adults_only", _("不招收未成年人（禁忌作业）")


class PositionStatus(models.TextChoices):
    OPEN = "open", _("招收中")
    WITHDRAWN = "withdrawn", _("已撤回")


class Position(models.Model):
    """A vacation position an enterprise offers in a season."""

    season = models.ForeignKey(Season, verbose_name=_("假期"), on_delete=models.PROTECT, related_name="positions")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("爱心企业"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("岗位名称"), max_length=60)
    place = models.CharField(_("工作地点"), max_length=120)
    places = models.PositiveSmallIntegerField(_("招收人数"))
    # Written only by the services (matching and manual adjustment), under the row lock.
    filled = models.PositiveSmallIntegerField(_("已安排人数"), default=0, editable=False)
    pay = models.DecimalField(_("报酬（元/月）"), **MONEY)
    hours_per_day = models.PositiveSmallIntegerField(_("每日工作时长（小时）"), default=8)
    safety_class = models.CharField(
        _("安全类别"), max_length=20, choices=SafetyClass.choices, default=SafetyClass.NORMAL
    )
    min_age = models.PositiveSmallIntegerField(
        _("最低年龄（周岁）"), null=True, blank=True, help_text=_("留空则按本期的最低年龄。")
    )
    school_levels = models.JSONField(_("就学阶段要求"), default=list, blank=True, help_text=_("不选则不限。"))
    field_of_study = models.CharField(
        _("专业要求"), max_length=100, blank=True, help_text=_("供学生填报参考，如“机械、化工类”。")
    )
    description = models.TextField(_("工作内容"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=PositionStatus.choices, default=PositionStatus.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("勤工助学岗位")
        verbose_name_plural = _("勤工助学岗位")
        ordering = ["enterprise__name", "title", "id"]
        indexes = [models.Index(fields=["season", "enterprise"], name="position_season_enterprise")]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=0), name="position_places_not_negative"),
            models.CheckConstraint(
                condition=Q(filled__gte=0) & Q(filled__lte=F("places")),
                name="position_capacity",
                violation_error_message=_("已安排人数不能超过招收人数。"),
            ),
            models.CheckConstraint(condition=Q(pay__gte=0), name="position_pay_not_negative"),
            models.CheckConstraint(
                condition=Q(hours_per_day__gte=1) & Q(hours_per_day__lte=12), name="position_hours_sensible"
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | (Q(min_age__gte=16) & Q(min_age__lte=30)),
                name="position_min_age_lawful",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise.name} · {self.title}"

    @property
    def adults_only(self) -> bool:
        return self.safety_class == SafetyClass.ADULTS_ONLY

    def effective_min_age(self, season: Season | None = None) -> int:
        season = season or self.season
        floor = ADULT_AGE if self.adults_only else 0
        return max(season.min_age, self.min_age or 0, floor)

    @property
    def vacancies(self) -> int:
        return self.places - self.filled


class ApplicationKind(models.TextChoices):
    HARDSHIP = "hardship", _("困难职工家庭学生")
    OUTSTANDING = "outstanding", _("优秀学生")


class Result(models.TextChoices):
    PENDING = "pending", _("待匹配")
    PLACED = "placed", _("已安排")
    UNPLACED = "unplaced", _("未安排")
    EXCLUDED = "excluded", _("不符合参加条件")


class Application(models.Model):
    """A student's application for a season, with up to five ranked positions (Preference rows).

    A hardship student is a member of a filed household; an outstanding student
    (优秀学生) is registered with their own details and matched after them.
    """

    season = models.ForeignKey(Season, verbose_name=_("假期"), on_delete=models.PROTECT, related_name="applications")
    kind = models.CharField(_("类别"), max_length=20, choices=ApplicationKind.choices)
    member = models.ForeignKey(
        "cases.Member", verbose_name=_("家庭成员"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭档案"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    union = models.ForeignKey(Union, verbose_name=_("报名工会"), on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("身份证号"), max_length=18)
    sex = models.CharField(_("性别"), max_length=1, choices=[("M", _("男")), ("F", _("女"))])
    birth_date = models.DateField(_("出生日期"))
    school_name = models.CharField(_("学校"), max_length=100, blank=True)
    school_level = models.CharField(_("就学阶段"), max_length=20, blank=True)
    major = models.CharField(_("专业"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    result = models.CharField(_("匹配结果"), max_length=20, choices=Result.choices, default=Result.PENDING)
    # What the matching (or a manual adjustment) found: rank, passed-over positions and why.
    result_detail = models.JSONField(_("匹配说明"), default=dict, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("勤工助学报名")
        verbose_name_plural = _("勤工助学报名")
        ordering = ["season", "id"]
        indexes = [models.Index(fields=["season", "result"], name="application_season_result")]
        constraints = [
            models.UniqueConstraint(
                fields=["season", "id_number"],
                name="application_one_per_person_per_season",
                violation_error_message=_("该学生已报名本期勤工助学。"),
            ),
            models.CheckConstraint(
                condition=(Q(kind="hardship") & Q(member__isnull=False) & Q(household__isnull=False))
                | (Q(kind="outstanding") & Q(member__isnull=True) & Q(household__isnull=True)),
                name="application_member_iff_hardship",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.season}）"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def age_at_start(self) -> int:
        return age_on(self.birth_date, self.season.starts_on)

    @property
    def is_minor_at_start(self) -> bool:
        return self.age_at_start < ADULT_AGE


class Preference(models.Model):
    application = models.ForeignKey(
        Application, verbose_name=_("报名"), on_delete=models.CASCADE, related_name="preferences"
    )
    position = models.ForeignKey(Position, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("志愿顺序"))

    class Meta:
        verbose_name = _("志愿")
        verbose_name_plural = _("志愿")
        ordering = ["application", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["application", "rank"], name="preference_rank_unique"),
            models.UniqueConstraint(fields=["application", "position"], name="preference_position_unique"),
            models.CheckConstraint(
                condition=Q(rank__gte=1) & Q(rank__lte=MAX_PREFERENCES), name="preference_rank_one_to_five"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.position_id}"


class PlacementStatus(models.TextChoices):
    PROPOSED = "proposed", _("拟安排（未发布）")
    PUBLISHED = "published", _("待企业确认")
    CONFIRMED = "confirmed", _("已上岗")
    COMPLETED = "completed", _("已结算")


class Placement(models.Model):
    """A student at a position for the season: matched, published, confirmed, paid."""

    season = models.ForeignKey(Season, verbose_name=_("假期"), on_delete=models.PROTECT, related_name="placements")
    application = models.ForeignKey(
        Application, verbose_name=_("学生"), on_delete=models.PROTECT, related_name="placements"
    )
    position = models.ForeignKey(Position, verbose_name=_("岗位"), on_delete=models.PROTECT, related_name="placements")
    preference_rank = models.PositiveSmallIntegerField(_("志愿顺序"), null=True, blank=True)
    manual = models.BooleanField(_("人工调整"), default=False)
    status = models.CharField(
        _("状态"), max_length=20, choices=PlacementStatus.choices, default=PlacementStatus.PROPOSED
    )
    starts_on = models.DateField(_("上岗日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    health_checked = models.BooleanField(_("已完成上岗前健康检查"), default=False)
    days_attended = models.PositiveSmallIntegerField(_("出勤天数"), null=True, blank=True)
    earnings = models.DecimalField(_("实发报酬（元）"), null=True, blank=True, **MONEY)
    evaluation = models.CharField(_("企业评价"), max_length=200, blank=True)
    early_hire = models.BooleanField(_("提前录用"), default=False)
    # The student's family accepted the published position from the family channel (关爱·圆梦 sign-up).
    student_accepted_at = models.DateTimeField(_("学生确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("安排时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("勤工助学安排")
        verbose_name_plural = _("勤工助学安排")
        ordering = ["position__enterprise__name", "position__title", "id"]
        indexes = [models.Index(fields=["season", "status"], name="placement_season_status")]
        constraints = [
            # A student is placed at most once per season (an application belongs to one season).
            models.UniqueConstraint(
                fields=["season", "application"],
                name="placement_one_per_student_per_season",
                violation_error_message=_("该学生本期已有安排。"),
            ),
            models.CheckConstraint(
                condition=Q(earnings__isnull=True) | Q(earnings__gte=0), name="placement_earnings_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__isnull=True) | Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="placement_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application.name} → {self.position}"

    @property
    def period_days(self) -> int | None:
        if self.starts_on and self.ends_on:
            return (self.ends_on - self.starts_on).days + 1
        return None


class MatchRun(models.Model):
    """One run of the matching for a season: who, when, how many, and whether it verified."""

    season = models.ForeignKey(Season, verbose_name=_("假期"), on_delete=models.PROTECT, related_name="match_runs")
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("执行人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    run_at = models.DateTimeField(_("执行时间"), auto_now_add=True)
    method = models.CharField(_("方法"), max_length=40, default="deferred_acceptance")
    students = models.PositiveIntegerField(_("参加学生"))
    positions = models.PositiveIntegerField(_("岗位数"))
    placed = models.PositiveIntegerField(_("安排人数"))
    seconds = models.DecimalField(_("耗时（秒）"), max_digits=8, decimal_places=3, default=Decimal("0"))
    verified = models.BooleanField(_("独立校验通过"), default=False)
    problems = models.JSONField(_("校验问题"), default=list, blank=True)

    class Meta:
        verbose_name = _("匹配记录")
        verbose_name_plural = _("匹配记录")
        ordering = ["-run_at", "-id"]

    def __str__(self) -> str:
        return f"{self.season} {self.run_at:%Y-%m-%d %H:%M}"
