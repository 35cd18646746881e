from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import CLAIM_CAP, FIRST_COVER_YEAR, LAST_COVER_YEAR, NonCashHelp, StartupLoan

DATE = forms.DateInput(attrs={"type": "date"})


class HelpForm(forms.ModelForm):
    class Meta:
        model = NonCashHelp
        fields = ["kind", "given_on", "mentor_name", "goods_value", "note"]
        widgets = {"given_on": DATE}


class LoanForm(forms.ModelForm):
    class Meta:
        model = StartupLoan
        fields = ["amount", "start_date", "lender"]
        widgets = {"start_date": DATE}
        help_texts = {"amount": _("不超过 300,000 元")}


class MemberChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_relation_display()}"


class SingleMemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_relation_display()}"


def _year_field():
    return forms.IntegerField(
        label=_("保障年度"),
        min_value=FIRST_COVER_YEAR,
        max_value=LAST_COVER_YEAR,
        error_messages={"required": _("请填写保障年度。"), "invalid": _("保障年度须为四位年份。")},
    )


def _plan_field():
    return forms.ModelChoiceField(
        label=_("保障计划"), queryset=None, empty_label=_("请选择"), error_messages={"required": _("请选择保障计划。")}
    )


class CoverEnrolForm(forms.Form):
    """Enrol family members in a 互助保障 plan for a year; the choices are this file's members."""

    members = MemberChoice(
        label=_("参保成员"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请选择参保的家庭成员。"), "invalid_choice": _("所选成员不在本档案中。")},
    )
    plan = _plan_field()
    year = _year_field()

    def __init__(self, *args, members, plans, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = members
        self.fields["plan"].queryset = plans


class CoverClaimForm(forms.Form):
    """A claim paid under a member's enrolment; the service checks the enrolment and the cover year."""

    member = SingleMemberChoice(
        label=_("参保人"),
        queryset=None,
        empty_label=_("请选择"),
        error_messages={"required": _("请选择参保人。"), "invalid_choice": _("所选成员不在本档案中。")},
    )
    plan = _plan_field()
    year = _year_field()
    treated_on = forms.DateField(
        label=_("住院/就诊日期"), widget=DATE, help_text=_("须在保障年度内"),
        error_messages={"required": _("请填写住院/就诊日期。"), "invalid": _("请输入有效的日期。")},
    )  # fmt: skip
    hospital = forms.CharField(label=_("医院"), max_length=100, error_messages={"required": _("请填写医院。")})
    illness = forms.CharField(
        label=_("病种/诊断"), max_length=100, error_messages={"required": _("请填写病种或诊断。")}
    )
    amount = forms.DecimalField(
        label=_("赔付金额（元）"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"), max_value=CLAIM_CAP,
        help_text=_("大于 0 且不超过 100,000 元"),
        error_messages={
            "required": _("请填写赔付金额。"),
            "invalid": _("请输入有效的金额。"),
            "min_value": _("赔付金额须大于 0。"),
            "max_value": _("赔付金额不能超过 100,000 元。"),
            "max_decimal_places": _("金额最多保留两位小数。"),
        },
    )  # fmt: skip
    paid_on = forms.DateField(
        label=_("赔付日期"), widget=DATE,
        error_messages={"required": _("请填写赔付日期。"), "invalid": _("请输入有效的日期。")},
    )  # fmt: skip
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, members, plans, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["plan"].queryset = plans
