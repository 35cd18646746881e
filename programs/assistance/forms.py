from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import SchoolLevel, Tier

from .models import Program, ProgramKind, ProgramStandard
from .periods import parse_quarter, quarter_of

AMOUNT_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}
MAX_AMOUNT = Decimal("100000000")


def _amount_ok(value):
    if value is not None and (value <= 0 or value > MAX_AMOUNT):
        raise ValidationError(_("金额应大于 0 且不超过 1 亿元。"))


class BatchStartForm(forms.Form):
    union = forms.ModelChoiceField(label=_("资金所属工会"), queryset=None, empty_label=None)
    period = forms.CharField(label=_("发放期"), max_length=7, help_text=_("如 2026-Q4"))

    # Set by the confirmation page: the first post shows what the batch will do, the second starts it.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)
    late = forms.BooleanField(label=_("确认补发：该期已经结束，本批次按补发处理"), required=False)

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        self.fields["period"].initial = quarter_of(timezone.localdate()).key

    def clean_period(self):
        return parse_quarter(self.cleaned_data["period"]).key


class ApproveForm(forms.Form):
    # The total the approver saw: the approval is refused if the batch changed since.
    confirmed_total = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, widget=forms.HiddenInput)
    checked = forms.BooleanField(label=_("我已核对本批次金额和资金余额"))


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("驳回原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class ReconcileForm(forms.Form):
    file = forms.FileField(label=_("银行结果文件（.csv 或 .xlsx）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".csv,.xlsx"


class AllocateForm(forms.Form):
    # The year is chosen: January's batches need next year's account, which only an allocation opens.
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount = forms.DecimalField(label=_("拨入金额（元）"), max_digits=14, decimal_places=2, validators=[_amount_ok],
                                widget=forms.NumberInput(attrs=AMOUNT_ATTRS))  # fmt: skip
    memo = forms.CharField(label=_("摘要"), max_length=200, required=False)


class ProgramStandardForm(forms.ModelForm):
    class Meta:
        model = ProgramStandard
        fields = ["effective_from", "tier", "school_level", "amount", "note"]
        # <input type="date"> shows only an ISO value; the zh-hans format (2026/07/01) would leave it blank.
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "amount": forms.NumberInput(attrs=AMOUNT_ATTRS)}  # fmt: skip

    def __init__(self, *args, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program
        # New figures usually take effect at the start of a quarter: the next one is offered.
        self.fields["effective_from"].initial = quarter_of(timezone.localdate()).next().start
        self.fields["tier"].choices = [c for c in Tier.choices if c[0] != Tier.NONE]
        if program.kind != ProgramKind.STUDENT_YEARLY:
            del self.fields["school_level"]
        else:
            self.fields["school_level"].choices = [c for c in SchoolLevel.choices if c[0]]
            self.fields["school_level"].required = True

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount < 0 or amount > MAX_AMOUNT:
            raise ValidationError(_("金额应在 0 到 1 亿元之间。"))
        return amount

    def validate_unique(self):
        pass  # the service reports a duplicate in Chinese


class GrantForm(forms.Form):
    program = forms.ModelChoiceField(label=_("救助项目"), queryset=None, empty_label=_("请选择"))
    amount = forms.DecimalField(label=_("申请金额（元）"), max_digits=14, decimal_places=2, validators=[_amount_ok],
                                widget=forms.NumberInput(attrs=AMOUNT_ATTRS))  # fmt: skip
    self_paid = forms.DecimalField(label=_("个人自付医疗费用（医疗救助必填）"), max_digits=14, decimal_places=2,
                                   required=False, widget=forms.NumberInput(attrs=AMOUNT_ATTRS))  # fmt: skip
    reason = forms.CharField(label=_("申请理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, programs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs

    def clean(self):
        cleaned = super().clean()
        program = cleaned.get("program")
        if program is not None and program.code == "medical" and cleaned.get("self_paid") is None:
            self.add_error("self_paid", _("医疗救助请填写个人自付部分，救助金额不超过该数。"))
        return cleaned


class GrantDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(label=_("审批结论"), choices=[("1", _("批准")), ("0", _("不批准"))],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)  # fmt: skip
    reason = forms.CharField(label=_("审批意见"), max_length=200, required=False)
