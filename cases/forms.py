"""Input shape of the household file: the household form and the member rows."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from hardship.identity import normalise_card_number, parse_id_number, validate_card_number
from hardship.money import money

from .models import INCOME_SOURCES, Attachment, Cause, HardshipStandard, Household, Member, Status, Tier
from .selectors import SORTS

MONEY_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}
# As the Excel import: a household's amounts stay small enough that their yearly sums fit the
# 12-digit money columns (six incomes of 9,999,999,999.99 overflowed annual_income: a 500).
MAX_HOUSEHOLD_AMOUNT = Decimal("99999999.99")
CARD_INPUT_MAX_LENGTH = 30


class HouseholdForm(forms.ModelForm):
    union = forms.ModelChoiceField(label=_("所属工会"), queryset=None, empty_label=_("请选择工会"))
    secondary_causes = forms.MultipleChoiceField(
        label=_("次要致困原因（最多三项）"), choices=Cause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = [
            "phone", "employer", "hukou_location", "address", "housing",
            "expense_medical", "expense_disability", "expense_schooling", "expense_housing",
            "sudden_event_cost", "sudden_event_note", "main_cause", "secondary_causes", "single_parent",
            "bank_name", "bank_branch", "bank_card",
        ]  # fmt: skip

    def __init__(self, *args, unions=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        if editing:
            del self.fields["union"]
        else:
            self.fields["union"].queryset = unions
            if unions is not None and len(unions) == 1:
                self.fields["union"].initial = unions[0].pk
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update(MONEY_ATTRS)
                field.min_value = Decimal("0")
                field.validators += [_non_negative, MaxValueValidator(MAX_HOUSEHOLD_AMOUNT)]
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        # A card is typed as printed, in groups of four: leave room for the spaces (19 digits + spaces);
        # clean_bank_card strips them and validate_card_number counts the digits.
        card = self.fields["bank_card"]
        card.max_length = CARD_INPUT_MAX_LENGTH
        card.validators = [v for v in card.validators if not isinstance(v, MaxLengthValidator)]
        card.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": CARD_INPUT_MAX_LENGTH})
        self.fields["main_cause"].choices = [("", _("请选择"))] + list(Cause.choices)

    def clean_phone(self):
        return phone_number(self.cleaned_data["phone"])

    def clean_bank_card(self):
        return card_number(self.cleaned_data.get("bank_card", ""))

    def clean(self):
        cleaned = super().clean()
        main, secondary = cleaned.get("main_cause"), cleaned.get("secondary_causes") or []
        secondary = [c for c in secondary if c != main]
        if len(secondary) > 3:
            self.add_error("secondary_causes", _("次要致困原因最多选择三项。"))
        cleaned["secondary_causes"] = secondary
        if cleaned.get("bank_card") and not cleaned.get("bank_name"):
            self.add_error("bank_name", _("填写了银行卡号时，请同时填写开户银行。"))
        return cleaned


def card_number(value: str) -> str:
    """A bank card as typed in groups of four, to its digits; refused in words unless 16–19 digits."""
    card = normalise_card_number(value or "")
    if card:
        validate_card_number(card)
    return card


def phone_number(value: str) -> str:
    """A mobile or fixed-line number as typed (spaces dropped), or the sentence saying it is not one."""
    phone = "".join((value or "").split())
    if not phone.replace("-", "").isdigit() or not 7 <= len(phone) <= 20:
        raise ValidationError(_("请填写有效的手机或固定电话号码。"))
    return phone


def _non_negative(value):
    if value is not None and value < 0:
        raise ValidationError(_("金额不能为负数。"))


class FiniteDecimalField(forms.DecimalField):
    """Refuses "sNaN" in to_python: Django lets it through to has_changed(), where comparing it raises
    InvalidOperation (a 500 on the member rows, which the formset checks for changes)."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is not None and not value.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


class IncomeUnit(models.TextChoices):
    YEAR = "year", _("元/年（近 12 个月合计）")
    MONTH = "month", _("元/月（按月 × 12 计）")


class MemberIncomeMixin:
    """A member's income by source, typed a year or a month at a time; always kept as the yearly figure.

    Most members have one source with a monthly figure (工资、养老金): ``income_unit`` = month lets
    it be typed as it is known, and ``clean`` multiplies by 12 — the file stores only the year.
    """

    def _income_fields(self) -> None:
        self.fields["income_unit"] = forms.ChoiceField(
            label=_("收入填写方式"), choices=IncomeUnit.choices, initial=IncomeUnit.YEAR, required=False
        )
        for source in INCOME_SOURCES:
            field = self.fields[source]
            field.required = False
            field.widget.attrs.update(MONEY_ATTRS)
            field.validators += [_non_negative, MaxValueValidator(MAX_HOUSEHOLD_AMOUNT)]

    def _clean_incomes(self, cleaned: dict) -> dict:
        monthly = cleaned.get("income_unit") == IncomeUnit.MONTH
        for source in INCOME_SOURCES:
            value = cleaned.get(source) or Decimal("0")
            cleaned[source] = money(value * 12) if monthly else value
            if cleaned[source] > MAX_HOUSEHOLD_AMOUNT:
                self.add_error(source, _("金额过大，请核对。"))
        cleaned.pop("income_unit", None)
        return cleaned


class MemberForm(MemberIncomeMixin, forms.ModelForm):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Member
        fields = [
            "relation", "name", "id_number", "health", "disability", "work_status", "school_level",
            "medical_insurance", *INCOME_SOURCES,
        ]  # fmt: skip
        field_classes = dict.fromkeys(INCOME_SOURCES, FiniteDecimalField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # static/js/id_check.js checks it as the field is left, with the server's rule (hardship:id_number_check).
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "maxlength": "18", "data-id-check": ""})
        self._income_fields()
        for name in ("relation", "work_status"):
            self.fields[name].choices = [("", _("请选择"))] + [c for c in self.fields[name].choices if c[0]]

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"]).number

    def clean(self):
        return self._clean_incomes(super().clean())


class BaseMemberFormSet(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # The page offers blank rows to type into (passed as ``initial``, so Django would treat them as
        # required); a row that is not an existing member may be left blank: it is simply not saved.
        form = super()._construct_form(i, **kwargs)
        if not form.initial.get("id"):
            form.empty_permitted = True
        return form

    def filled_forms(self) -> list[forms.Form]:
        """Rows to save: existing members (even unchanged) and new rows someone typed in."""
        return [
            f for f in self.forms if (f.has_changed() or f.cleaned_data.get("id")) and not self._should_delete_form(f)
        ]

    def clean(self):
        if any(self.errors):
            return
        filled = self.filled_forms()
        if not filled:
            raise ValidationError(_("请至少填写户主本人。"))
        heads = [f for f in filled if f.cleaned_data.get("relation") == "self"]
        if len(heads) != 1:
            raise ValidationError(_("家庭成员中必须有且只有一位“本人（户主）”。"))
        numbers = [f.cleaned_data["id_number"] for f in filled]
        if len(numbers) != len(set(numbers)):
            raise ValidationError(_("同一户中有两位成员的身份证号相同，请核对。"))


# absolute_max: a forged TOTAL_FORMS would otherwise make Django build, check and render 1,020 rows.
MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=0, can_delete=True, max_num=20, absolute_max=20
)


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=[("", _("请选择"))] + list(Attachment.Kind.choices))
    file = forms.FileField(label=_("文件（PDF、JPG、PNG，不超过 10 MB）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class StandardForm(forms.ModelForm):
    union = forms.ModelChoiceField(label=_("适用工会"), queryset=None, empty_label=None)

    class Meta:
        model = HardshipStandard
        fields = [
            "union", "effective_from", "dibao_monthly", "extreme_line_monthly", "deep_multiple",
            "relative_multiple", "sudden_cost_ratio", "minimum_wage_monthly", "note",
        ]  # fmt: skip
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, unions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update(MONEY_ATTRS)
                field.validators.append(_non_negative)

    def clean(self):
        cleaned = super().clean()
        deep, relative = cleaned.get("deep_multiple"), cleaned.get("relative_multiple")
        if deep is not None and relative is not None and relative < deep:
            self.add_error("relative_multiple", _("相对困难倍数不能小于深度困难倍数。"))
        if cleaned.get("dibao_monthly") is not None and cleaned["dibao_monthly"] <= 0:
            self.add_error("dibao_monthly", _("低保标准必须大于 0。"))
        return cleaned


def household_list_params(query) -> dict:
    """The household list's filters from a query string (the page and its Excel export read the
    same ones): anything unknown is ignored, so a hand-edited URL lists rather than fails."""
    return {
        "search": query.get("q", "")[:50],
        "union_id": _id_or_none(query.get("union")),
        "tier": query.get("tier", "") if query.get("tier") in Tier.values else "",
        "status": query.get("status", "") if query.get("status") in Status.values else "",
        "cause": query.get("cause", "") if query.get("cause") in Cause.values else "",
        "sort": query.get("sort", "-id") if query.get("sort") in SORTS else "-id",
    }


def _id_or_none(value):
    """A database id from a query string, or None: out-of-range numbers must not reach the database."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None
