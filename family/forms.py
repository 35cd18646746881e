"""The family channel's forms: plain words, big inputs, numeric keyboards on a phone."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import HardshipStandard, Household, Member
from cases.services import MemberInput
from hardship.identity import parse_id_number
from hardship.models import Union

from .services.accounts import normalise_phone


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("手机号码"), max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "placeholder": "138 0000 0000"}),
    )  # fmt: skip

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class NoticesReadForm(forms.Form):
    """「全部标为已读」: the newest message the page showed (messages after it stay unread)."""

    up_to = forms.IntegerField(min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)


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


# The household's form in plain words. Income is asked a month (what a worker knows) and kept a year.
MONTHLY_SOURCES = (
    ("income_wages", _("工资（每月）")),
    ("income_business", _("做生意、打零工（每月）")),
    ("income_pension", _("养老金、退休金（每月）")),
    ("income_transfer", _("其他收入，如赡养费、补助（每月）")),
)
EXPENSES = (
    ("expense_medical", _("看病自己付的钱（近一年）")),
    ("expense_disability", _("残疾康复的钱（近一年）")),
    ("expense_schooling", _("孩子上学的钱（近一年）")),
    ("expense_housing", _("房租或房贷（近一年）")),
)


class IncomeFields(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in MONTHLY_SOURCES:
            self.fields[name] = money_field(label)

    def annual_incomes(self) -> dict:
        return {name: (self.cleaned_data.get(name) or Decimal("0")) * 12 for name, _label in MONTHLY_SOURCES}


def _choices(model_field):
    return [c for c in model_field.choices if c[0] != ""]


def _member_field(name):
    return Member._meta.get_field(name)


class MemberRowForm(IncomeFields):
    """One person of the household (the first row is the applicant, 户主)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    relation = forms.ChoiceField(label=_("与您的关系"), required=False)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, required=False)
    work_status = forms.ChoiceField(label=_("工作或上学"), required=False)
    school_level = forms.ChoiceField(label=_("在读阶段"), required=False)
    health = forms.ChoiceField(label=_("身体状况"), required=False)
    disability = forms.ChoiceField(label=_("残疾"), required=False)

    def __init__(self, *args, head=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.head = head
        for name in ("relation", "work_status", "school_level", "health", "disability"):
            self.fields[name].choices = _member_field(name).choices
        if head:
            self.fields["relation"].choices = [c for c in self.fields["relation"].choices if c[0] == "self"]
            self.fields["relation"].initial = "self"

    def is_empty(self) -> bool:
        return not (self.cleaned_data.get("name") or self.cleaned_data.get("id_number"))

    def clean(self):
        data = super().clean()
        if self.head or not self.is_empty():
            for name in ("name", "relation", "id_number", "work_status"):
                if not data.get(name):
                    self.add_error(name, _("请填写这一项。"))
            if data.get("id_number"):
                try:
                    data["id_number"] = _clean_id(data["id_number"])
                except forms.ValidationError as error:
                    self.add_error("id_number", error)
            if not self.head and data.get("relation") == "self":
                self.add_error("relation", _("只有第一行是您本人。"))
        return data

    def member_input(self):
        data = self.cleaned_data
        return MemberInput(
            id=data.get("id"), relation=data["relation"], name=data["name"].strip(), id_number=data["id_number"],
            work_status=data["work_status"], school_level=data.get("school_level") or "",
            health=data.get("health") or "healthy", disability=data.get("disability") or "none",
            **self.annual_incomes(),
        )  # fmt: skip


MEMBER_ROWS = 6


def member_forms(data=None, initial_rows=None) -> list[MemberRowForm]:
    rows = list(initial_rows or [])
    return [
        MemberRowForm(data, prefix=f"m{i}", head=(i == 0), initial=rows[i] if i < len(rows) else None)
        for i in range(MEMBER_ROWS)
    ]


class ApplicationForm(forms.Form):
    union = forms.ModelChoiceField(label=_("您单位的工会"), queryset=None, empty_label=_("请选择"),
                                   help_text=_("按工作单位选择；不清楚的可选所在街道的工会。"))  # fmt: skip
    employer = forms.CharField(label=_("工作单位"), max_length=100)
    address = forms.CharField(label=_("家庭住址"), max_length=200)
    housing = forms.ChoiceField(label=_("住房"))
    main_cause = forms.ChoiceField(label=_("家里困难的主要原因"))
    sudden_event_cost = money_field(_("突发事件（灾害、事故、重病）花的钱（近一年）"))
    sudden_event_note = forms.CharField(label=_("突发事件说明"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("开户银行（本人名下）"), max_length=50, required=False)
    bank_card = forms.CharField(label=_("银行卡号（本人名下）"), max_length=23, required=False,
                                widget=forms.TextInput(attrs={"inputmode": "numeric"}))  # fmt: skip

    def __init__(self, *args, with_union=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_union:
            self.fields["union"].queryset = Union.objects.filter(level=Union.Level.GRASSROOTS).order_by("name")
        else:
            del self.fields["union"]
        self.fields["housing"].choices = Household._meta.get_field("housing").choices
        self.fields["main_cause"].choices = Household._meta.get_field("main_cause").choices
        for name, label in EXPENSES:
            self.fields[name] = money_field(label)

    def household_data(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("union", None)
        data["bank_card"] = "".join((data.get("bank_card") or "").split())
        return data


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]


class UploadForm(forms.Form):
    proofs = MultiplePhotoField(
        label=_("证明材料照片（收入证明、病历、残疾证等，可多张）"), required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*", "capture": "environment", "multiple": True}),
    )  # fmt: skip
    authorisation = forms.FileField(
        label=_("签字的《家庭经济状况核对授权书》（照片或 PDF）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )  # fmt: skip


class SelfTestMemberForm(IncomeFields):
    """One person in the self-test: no name, no 身份证号 — only what the rule reads."""

    age = forms.IntegerField(label=_("年龄"), min_value=0, max_value=120, required=False,
                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))  # fmt: skip
    work_status = forms.ChoiceField(label=_("工作或上学"), required=False)
    health = forms.ChoiceField(label=_("身体状况"), required=False)
    disability = forms.ChoiceField(label=_("残疾"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("work_status", "health", "disability"):
            self.fields[name].choices = _member_field(name).choices

    def is_empty(self) -> bool:
        return self.cleaned_data.get("age") is None


SELF_TEST_ROWS = 6


class SelfTestForm(forms.Form):
    union = forms.ModelChoiceField(label=_("您所在的城市或区县"), queryset=None, empty_label=_("请选择"))
    sudden_event_cost = money_field(_("突发事件（灾害、事故、重病）花的钱（近一年）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The cities and districts that set their own standard (the others follow the union above them).
        own_standard = HardshipStandard.objects.values("union_id")
        levels = (Union.Level.CITY, Union.Level.DISTRICT)
        self.fields["union"].queryset = Union.objects.filter(level__in=levels, pk__in=own_standard).order_by("path")
        for name, label in EXPENSES:
            self.fields[name] = money_field(label)


def self_test_member_forms(data=None) -> list[SelfTestMemberForm]:
    return [SelfTestMemberForm(data, prefix=f"p{i}") for i in range(SELF_TEST_ROWS)]


def more_rows_used(rows) -> bool:
    """Whether a row after the first two holds anything (typed or on file): the page shows them open."""
    for row in rows[2:]:
        values = [v for k, v in row.data.items() if k.startswith(f"{row.prefix}-")] if row.is_bound else []
        if row.initial or any(v not in ("", "0", "none", "healthy", "employed") for v in values):
            return True
    return False
