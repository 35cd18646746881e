from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.review.forms import iso_date_input

from ..assistance.forms import AMOUNT_ATTRS

CENT = Decimal("0.01")


class PaymentChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, payment) -> str:
        return f"{payment.entitlement.program.name} {payment.entitlement.period_key} · {payment.amount} 元 · " + str(
            payment.get_status_display())  # fmt: skip


class RaiseForm(forms.Form):
    payments = PaymentChoice(label=_("误发的发放记录"), queryset=None, widget=forms.CheckboxSelectMultiple)
    amount = forms.DecimalField(label=_("应追回金额（元）"), max_digits=12, decimal_places=2, min_value=CENT,
                                widget=forms.NumberInput(attrs=AMOUNT_ATTRS))  # fmt: skip
    reason = forms.CharField(label=_("追回原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：信息比对发现有车辆，不符合条件期间的生活补贴"))  # fmt: skip

    def __init__(self, *args, payments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payments"].queryset = payments


class CollectForm(forms.Form):
    amount = forms.DecimalField(label=_("本次收回金额（元）"), max_digits=12, decimal_places=2, min_value=CENT,
                                widget=forms.NumberInput(attrs=AMOUNT_ATTRS))  # fmt: skip
    received_on = forms.DateField(label=_("收款日期"), widget=iso_date_input())
    memo = forms.CharField(label=_("摘要"), max_length=100, required=False,
                           help_text=_("如：第 1 期，现金缴回"))  # fmt: skip
    confirm = forms.BooleanField(label=_("我已核对收款凭证：这笔钱已收到并计入资金账户"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class WriteOffForm(forms.Form):
    reason = forms.CharField(label=_("核销理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class WriteOffDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("审批意见"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("我已核对核销理由和尚欠金额"))


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("如：收款凭证金额为 120 元，误登记为 210 元"))  # fmt: skip
    confirm = forms.BooleanField(label=_("我已核实这笔收回登记有误：冲正后尚欠金额和资金余额按上面所示恢复"))
