"""The family channel's forms: plain words, big inputs, numeric keyboards on a phone."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from hardship.identity import parse_id_number

from .services.accounts import normalise_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"}),
    )  # fmt: skip

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("短信验证码"), max_length=6, min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )  # fmt: skip


def _id_number_field():
    return forms.CharField(label=_("身份证号"), max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}))


def _clean_id(value: str) -> str:
    return parse_id_number(value).number


class LinkForm(forms.Form):
    id_number = _id_number_field()

    def clean_id_number(self):
        return _clean_id(self.cleaned_data["id_number"])


class RegisterForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = _id_number_field()

    def clean_id_number(self):
        return _clean_id(self.cleaned_data["id_number"])


MONEY_WIDGET = {"inputmode": "decimal", "step": "0.01", "min": "0"}


def money_field(label, required=False):
    return forms.DecimalField(
        label=label, required=required, min_value=Decimal("0"), max_value=Decimal("99999999"), decimal_places=2,
        initial=Decimal("0"), widget=forms.NumberInput(attrs=MONEY_WIDGET),
    )  # fmt: skip
