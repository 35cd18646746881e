"""Input shape of the 关爱·圆梦 pages; the rules themselves live in the services."""

from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import SchoolLevel
from hardship.dates import age_on
from hardship.identity import parse_id_number
from hardship.masking import mask_id_number
from hardship.models import Role, User

from .matching import MAX_PREFERENCES
from .models import Enterprise, Position, Season, Term

MONEY_ATTRS = {"step": "0.01", "min": "0", "inputmode": "decimal"}
# Levels a vacation position can ask for (students of 16+ are in these).
POSITION_LEVELS = [(v, label) for v, label in SchoolLevel.choices if v in ("junior", "senior", "university")]
STUDENT_LEVELS = [("", _("请选择"))] + POSITION_LEVELS


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _Crispy:
    """Fields only; the template writes the <form> tag, the CSRF token and the buttons."""

    def _helper(self):
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class EnterpriseForm(_Crispy, forms.ModelForm):
    union = forms.ModelChoiceField(label=_("所属工会"), queryset=None, empty_label=_("请选择工会"))
    contacts = forms.ModelMultipleChoiceField(
        label=_("企业登录账号"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("持有“爱心企业联系人”角色的账号；登录后只能看到本企业的岗位和学生。"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "name", "credit_code", "address", "contact_name", "contact_phone", "agreement_signed_on",
            "agreement_number", "insurer", "insurance_policy", "insurance_valid_from", "insurance_valid_until",
            "is_active",
        ]  # fmt: skip
        widgets = {
            "agreement_signed_on": _date_input(),
            "insurance_valid_from": _date_input(),
            "insurance_valid_until": _date_input(),
        }

    def __init__(self, *args, unions, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        if editing:
            del self.fields["union"]
            self.fields["contacts"].initial = list(self.instance.contacts.all())
        else:
            self.fields["union"].queryset = unions
        self.fields["contacts"].queryset = (
            User.objects.filter(
                role_assignments__role=Role.ENTERPRISE_CONTACT, role_assignments__union__in=unions, is_active=True
            )
            .distinct()
            .order_by("username")
        )
        self.fields["contacts"].label_from_instance = lambda u: f"{u.display_name}（{u.username}）"
        self.fields["contact_phone"].widget.attrs.update({"inputmode": "tel"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("insurance_valid_from"), cleaned.get("insurance_valid_until")
        if start and end and end < start:
            self.add_error("insurance_valid_until", _("保险止期不能早于起期。"))
        return cleaned


class SeasonForm(_Crispy, forms.ModelForm):
    union = forms.ModelChoiceField(label=_("组织工会"), queryset=None, empty_label=_("请选择工会"))

    class Meta:
        model = Season
        fields = ["year", "term", "starts_on", "ends_on", "min_age", "note"]
        widgets = {"starts_on": _date_input(), "ends_on": _date_input()}

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["union"].queryset = unions
        self.fields["term"].choices = [("", _("请选择"))] + list(Term.choices)
        self.fields["year"].widget.attrs.update({"min": "2014", "max": "2100"})
        self.fields["min_age"].widget.attrs.update({"min": "16", "max": "30"})
        self.order_fields(["union", "year", "term", "starts_on", "ends_on", "min_age", "note"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end <= start:
            self.add_error("ends_on", _("结束日期必须晚于开始日期。"))
        year = cleaned.get("year")
        if year is not None and not 2014 <= year <= 2100:
            self.add_error("year", _("请填写有效的年度。"))
        min_age = cleaned.get("min_age")
        if min_age is not None and not 16 <= min_age <= 30:
            self.add_error("min_age", _("最低年龄应在 16 至 30 周岁之间（不得招用未满 16 周岁的未成年人）。"))
        return cleaned


class PositionForm(_Crispy, forms.ModelForm):
    enterprise = forms.ModelChoiceField(label=_("爱心企业"), queryset=None, empty_label=_("请选择企业"))
    school_levels = forms.MultipleChoiceField(
        label=_("就学阶段要求（不选则不限）"),
        choices=POSITION_LEVELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Position
        fields = [
            "title", "place", "places", "pay", "hours_per_day", "safety_class", "min_age", "school_levels",
            "field_of_study", "description",
        ]  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, enterprises=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        if enterprises is None:
            del self.fields["enterprise"]
        else:
            self.fields["enterprise"].queryset = enterprises
            self.order_fields(["enterprise"])
        self.fields["pay"].widget.attrs.update(MONEY_ATTRS)
        self.fields["places"].widget.attrs.update({"min": "1", "inputmode": "numeric"})
        self.fields["hours_per_day"].widget.attrs.update({"min": "1", "max": "12", "inputmode": "numeric"})
        self.fields["min_age"].widget.attrs.update({"min": "16", "max": "30", "inputmode": "numeric"})

    def clean_places(self):
        places = self.cleaned_data["places"]
        if places < 1:
            raise ValidationError(_("招收人数至少为 1 人。"))
        return places

    def clean_pay(self):
        pay = self.cleaned_data["pay"]
        if pay < 0:
            raise ValidationError(_("报酬不能为负数。"))
        return pay

    def clean_hours_per_day(self):
        hours = self.cleaned_data["hours_per_day"]
        if not 1 <= hours <= 12:
            raise ValidationError(_("每日工作时长应在 1 至 12 小时之间。"))
        return hours

    def clean_min_age(self):
        min_age = self.cleaned_data.get("min_age")
        if min_age is not None and not 16 <= min_age <= 30:
            raise ValidationError(_("岗位最低年龄应在 16 至 30 周岁之间。"))
        return min_age


class PositionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, position: Position) -> str:
        extra = _("，不招收未成年人") if position.adults_only else ""
        return f"{position.enterprise.name} · {position.title}（{position.places}{_('人')}{extra}）"


class _PreferencesMixin:
    """Five ranked position fields: 第 1 志愿 is required, the rest optional and distinct."""

    def _add_preferences(self, positions):
        for rank in range(1, MAX_PREFERENCES + 1):
            self.fields[f"pref_{rank}"] = PositionChoiceField(
                label=_("第 %(n)d 志愿") % {"n": rank},
                queryset=positions,
                required=rank == 1,
                empty_label=_("请选择岗位") if rank == 1 else _("（不填）"),
            )

    def preference_ids(self) -> list[int]:
        return [
            self.cleaned_data[f"pref_{r}"].pk
            for r in range(1, MAX_PREFERENCES + 1)
            if self.cleaned_data.get(f"pref_{r}")
        ]

    def _clean_preferences(self):
        chosen = [self.cleaned_data.get(f"pref_{r}") for r in range(1, MAX_PREFERENCES + 1)]
        seen = set()
        for rank, position in enumerate(chosen, start=1):
            if position is None:
                continue
            if position.pk in seen:
                self.add_error(f"pref_{rank}", _("同一个岗位不能重复填报。"))
            seen.add(position.pk)


class MemberChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, season: Season, **kwargs):
        self.season = season
        super().__init__(*args, **kwargs)

    def label_from_instance(self, member) -> str:
        age = age_on(member.birth_date, self.season.starts_on)
        return (
            f"{member.name} · {mask_id_number(member.id_number)} · {age}{_('周岁')} · "
            f"{member.get_school_level_display()} · {member.household.union.name}"
        )


class HardshipApplicationForm(_PreferencesMixin, _Crispy, forms.Form):
    member = MemberChoiceField(
        label=_("学生（已建档困难职工家庭）"), queryset=None, season=None, empty_label=_("请选择学生")
    )
    school_name = forms.CharField(label=_("学校"), max_length=100, required=False)
    major = forms.CharField(label=_("专业"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, help_text=_("留空则用家庭档案中的电话。")
    )

    def __init__(self, *args, season: Season, members, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["member"].queryset = members
        self.fields["member"].season = season
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self._add_preferences(positions)

    def clean(self):
        cleaned = super().clean()
        self._clean_preferences()
        return cleaned


class OutstandingApplicationForm(_PreferencesMixin, _Crispy, forms.Form):
    union = forms.ModelChoiceField(label=_("报名工会"), queryset=None, empty_label=_("请选择工会"))
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    school_level = forms.ChoiceField(label=_("就学阶段"), choices=STUDENT_LEVELS)
    school_name = forms.CharField(label=_("学校"), max_length=100, required=False)
    major = forms.CharField(label=_("专业"), max_length=100, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def __init__(self, *args, unions, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["union"].queryset = unions
        self.fields["id_number"].widget.attrs.update({"autocomplete": "off", "maxlength": "18"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel"})
        self._add_preferences(positions)

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"]).number

    def clean(self):
        cleaned = super().clean()
        self._clean_preferences()
        return cleaned


class AssignForm(_Crispy, forms.Form):
    position = PositionChoiceField(label=_("安排到岗位"), queryset=None, empty_label=_("请选择岗位"))

    def __init__(self, *args, positions, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["position"].queryset = positions


class ConfirmForm(_Crispy, forms.Form):
    starts_on = forms.DateField(label=_("上岗日期"), widget=_date_input())
    ends_on = forms.DateField(label=_("结束日期"), widget=_date_input())
    health_checked = forms.BooleanField(label=_("已完成上岗前健康检查（未成年学生必须）"), required=False)

    def __init__(self, *args, minor: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        if not minor:
            self.fields["health_checked"].label = _("已完成上岗前健康检查")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("结束日期不能早于上岗日期。"))
        return cleaned


class EarningsForm(_Crispy, forms.Form):
    days_attended = forms.IntegerField(label=_("出勤天数"), min_value=0, max_value=366)
    earnings = forms.DecimalField(label=_("实发报酬（元）"), min_value=Decimal("0"), max_digits=12, decimal_places=2)
    evaluation = forms.CharField(
        label=_("企业评价"), max_length=200, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    early_hire = forms.BooleanField(label=_("提前录用（毕业后优先录用）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._helper()
        self.fields["days_attended"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["earnings"].widget.attrs.update(MONEY_ATTRS)
