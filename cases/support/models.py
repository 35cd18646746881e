"""Non-cash help, mutual medical cover (互助保障) and the 创业贷 interest subsidy on a household file.

The household and the member are named by string ("cases.Household"): ``cases.models`` re-exports
this module, so importing ``cases.models.households`` from here would run that package first (a circle).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hardship.choices import ChoiceLabels
from hardship.money import MONEY_FIELD

MONEY = MONEY_FIELD
# The largest 创业贷 the union subsidises (元).
LOAN_CAP = Decimal("300000")
# The largest single 互助保障 claim the portal accepts (元): well above what the plans pay for
# one hospital stay, low enough to catch a mistyped amount (an extra zero or two).
CLAIM_CAP = Decimal("100000")
# Cover years the database accepts; the services narrow this to the years around today.
FIRST_COVER_YEAR, LAST_COVER_YEAR = 2000, 2100

__all__ = [
    "BenchmarkRate",
    "HelpKind",
    "MutualCoverClaim",
    "MutualCoverEnrolment",
    "MutualCoverPlan",
    "NonCashHelp",
    "StartupLoan",
]


class HelpKind(models.TextChoices):
    JOB_REFERRAL = "job_referral", _("就业推荐（春风行动/4050）")
    TRAINING = "training", _("技能培训")
    LEGAL_AID = "legal_aid", _("法律援助")
    MENTORING = "mentoring", _("结对帮扶")
    PSYCHOLOGICAL = "psychological", _("心理服务")
    WISH = "wish", _("小心愿圆梦")
    GOODS = "goods", _("物资慰问")


class NonCashHelp(ChoiceLabels, models.Model):
    """One piece of help that is not money paid to the card: a job referral, a course, a mentor, goods."""

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="non_cash_help"
    )
    kind = models.CharField(_("帮扶方式"), max_length=20, choices=HelpKind.choices)
    given_on = models.DateField(_("日期"))
    mentor_name = models.CharField(_("结对人"), max_length=50, blank=True)
    goods_value = models.DecimalField(_("物资价值（元）"), null=True, blank=True, **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("非现金帮扶")
        verbose_name_plural = _("非现金帮扶")
        ordering = ["-given_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(goods_value__isnull=True) | Q(goods_value__gte=0), name="help_goods_value_non_negative"
            ),
            models.CheckConstraint(condition=~Q(kind="mentoring") | ~Q(mentor_name=""), name="help_mentor_named"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.given_on}"


class MutualCoverPlan(models.Model):
    """A 职工互助保障 plan (e.g. 在职职工住院医疗互助保障计划)."""

    name = models.CharField(_("保障计划"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("互助保障计划")
        verbose_name_plural = _("互助保障计划")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MutualCoverEnrolment(models.Model):
    """A member enrolled in a plan for a year; once per member, plan and year."""

    member = models.ForeignKey("cases.Member", verbose_name=_("参保人"), on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(MutualCoverPlan, verbose_name=_("保障计划"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("办理人"), on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("办理时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("互助保障参保")
        verbose_name_plural = _("互助保障参保")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "plan", "year"],
                name="mutual_cover_once_a_year",
                violation_error_message=_("该成员本年度已参加此保障计划。"),
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_COVER_YEAR) & Q(year__lte=LAST_COVER_YEAR), name="mutual_cover_year_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.plan} {self.year}"


class MutualCoverClaim(models.Model):
    """A claim the plan paid (互助保障赔付) for a hospital stay or illness in the enrolment's cover year."""

    enrolment = models.ForeignKey(
        MutualCoverEnrolment, verbose_name=_("参保记录"), on_delete=models.PROTECT, related_name="claims"
    )
    treated_on = models.DateField(_("住院/就诊日期"))
    hospital = models.CharField(_("医院"), max_length=100)
    illness = models.CharField(_("病种/诊断"), max_length=100)
    amount = models.DecimalField(_("赔付金额（元）"), **MONEY)
    paid_on = models.DateField(_("赔付日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("互助保障赔付")
        verbose_name_plural = _("互助保障赔付")
        ordering = ["treated_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=CLAIM_CAP),
                name="mutual_claim_amount_capped",
                violation_error_message=_("赔付金额须大于 0 且不超过 100,000 元。"),
            ),
            models.CheckConstraint(condition=Q(paid_on__gte=F("treated_on")), name="mutual_claim_paid_after_treatment"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment} {self.amount}"


class BenchmarkRate(models.Model):
    """The loan benchmark rate (贷款基准利率) in force from a date; a change is a new row."""

    effective_from = models.DateField(_("生效日期"), unique=True)
    rate_percent = models.DecimalField(_("年利率（%）"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("贷款基准利率")
        verbose_name_plural = _("贷款基准利率")
        ordering = ["-effective_from"]
        constraints = [models.CheckConstraint(condition=Q(rate_percent__gt=0), name="benchmark_rate_positive")]

    def __str__(self) -> str:
        return f"{self.effective_from:%Y-%m-%d} {self.rate_percent}%"


class StartupLoan(models.Model):
    """A 创业贷 taken by the household; the union subsidises its interest for two years."""

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="startup_loans"
    )
    amount = models.DecimalField(_("贷款金额（元）"), **MONEY)
    start_date = models.DateField(_("放款日期"))
    lender = models.CharField(_("贷款银行"), max_length=60, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("创业贷")
        verbose_name_plural = _("创业贷")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=LOAN_CAP),
                name="startup_loan_amount_capped",
                violation_error_message=_("创业贷金额须大于 0 且不超过 300,000 元。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.amount}"
