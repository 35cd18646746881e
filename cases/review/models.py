"""The review chain around a file: home visits, opinions, 公示 objections, monthly incomes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from hardship.choices import ChoiceLabels
from hardship.money import MONEY_FIELD as MONEY


class Step(models.TextChoices):
    """The step a visit or an opinion serves."""

    FIRST = "first", _("初审")
    SECOND = "second", _("复审")
    YEARLY = "yearly", _("年度复核")
    FOLLOW_UP = "follow_up", _("退出回访")


class HomeVisit(ChoiceLabels, models.Model):
    """入户走访: who went, what they saw, the income they verified per member."""

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="visits"
    )
    step = models.CharField(_("走访环节"), max_length=20, choices=Step.choices)
    visited_on = models.DateField(_("走访日期"))
    visitors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("走访人员"), related_name="+")
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("纪检监督员（陪同）"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    address_confirmed = models.BooleanField(_("住址属实"), default=False)
    living_conditions = models.TextField(_("居住与生活状况"))
    verified_incomes = models.JSONField(_("核实的成员月收入"), default=dict, blank=True)
    findings = models.TextField(_("走访结论"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "step"], name="visit_household_step")]

    def __str__(self) -> str:
        return f"{self.household} {self.get_step_display()} {self.visited_on}"


def visit_photo_path(instance: "VisitPhoto", filename: str) -> str:
    return f"visits/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(HomeVisit, verbose_name=_("走访"), on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("照片"), upload_to=visit_photo_path)
    content_type = models.CharField(_("格式"), max_length=50)
    size = models.PositiveIntegerField(_("大小"))

    class Meta:
        verbose_name = _("走访照片")
        verbose_name_plural = _("走访照片")


class Opinion(ChoiceLabels, models.Model):
    """A reviewer's decision and words at one step (审核意见)."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("通过")
        RETURN = "return", _("退回补正")
        REJECT = "reject", _("不予受理")
        OBJECTION = "objection", _("公示异议")
        FILE = "file", _("建档")
        CONTINUE = "continue", _("继续帮扶")
        EXIT = "exit", _("退出帮扶")
        REOPEN = "reopen", _("返困重启")
        SUBMIT = "submit", _("提交申请")
        ASSIGN = "assign", _("派单复审")
        APPEAL = "appeal", _("申诉成立")
        CONFIRM = "confirm", _("临时档案转正")
        CLOSE = "close", _("注销档案")

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="opinions"
    )
    step = models.CharField(_("环节"), max_length=20, choices=Step.choices, blank=True)
    decision = models.CharField(_("结论"), max_length=20, choices=Decision.choices)
    text = models.TextField(_("意见"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审核人"), on_delete=models.PROTECT,
                              related_name="+")  # fmt: skip
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审核意见")
        verbose_name_plural = _("审核意见")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.household} {self.get_decision_display()}"


class MonthlyIncome(models.Model):
    """Recorded per-capita income of one month: six months above 低保 in a row means 脱困."""

    household = models.ForeignKey(
        "cases.Household", verbose_name=_("家庭"), on_delete=models.PROTECT, related_name="monthly_incomes"
    )
    month = models.DateField(_("月份"), help_text=_("当月 1 日"))
    per_capita_income = models.DecimalField(_("人均月收入"), **MONEY)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度收入")
        verbose_name_plural = _("月度收入")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "month"],
                name="monthly_income_once",
                violation_error_message=_("该月的收入已经记录过。"),
            ),  # fmt: skip
            models.CheckConstraint(condition=models.Q(month__day=1), name="monthly_income_first_of_month"),
        ]
