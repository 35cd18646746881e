"""Forms of the review chain: decisions, assignment, visits (phone-sized), exit, monthly income."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardship.models import SocialOrganisation, User

from ..models import CloseReason, ExitKind


def iso_date_input() -> forms.DateInput:
    """<input type="date"> only shows an ISO value (2026-11-23); the zh-hans format (2026/11/23) leaves it blank."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class RadioSelectWithRefusals(forms.RadioSelect):
    """Radio buttons of which some are greyed out (``disabled_values``): the page offers only what is allowed."""

    disabled_values: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("结论"),
        choices=[("approve", _("通过")), ("return", _("退回补正")), ("reject", _("不予受理"))],
        widget=RadioSelectWithRefusals,
    )
    text = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                           max_length=2000)  # fmt: skip

    def __init__(self, *args, actions=(), **kwargs):
        """``actions``: the workflow's answer for this page (first_approve …); a refused decision is greyed out
        with its reason. The service still refuses it if posted anyway, with the same sentence."""
        super().__init__(*args, **kwargs)
        shown = {a.name.rsplit("_", 1)[1]: a for a in actions}
        refused = {value: a.reason for value, a in shown.items() if not a.allowed}
        field = self.fields["decision"]
        # Only the decisions this user sees are drawn; any may still be posted, and then the service says why not.
        field.widget.choices = [(value, label) for value, label in field.choices if value in shown]
        field.widget.disabled_values = frozenset(refused)
        self.refusals = [(label, refused[value]) for value, label in field.choices if value in refused]

    def offers(self, decision) -> bool:
        """Whether the page draws ``decision`` (a refusal of it is then said at the field)."""
        return any(value == decision for value, _label in self.fields["decision"].widget.choices)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("return", "reject") and not (cleaned.get("text") or "").strip():
            self.add_error("text", _("退回或不予受理时必须写明原因。"))
        return cleaned


class AssignForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("第三方社会组织"), queryset=SocialOrganisation.objects.none(),
                                          empty_label=_("请选择"))  # fmt: skip
    due = forms.DateField(label=_("复审期限"), widget=iso_date_input())

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    def clean_due(self):
        due = self.cleaned_data["due"]
        if due < timezone.localdate():
            raise ValidationError(_("复审期限不能早于今天。"))
        return due


class TextForm(forms.Form):
    text = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class OptionalTextForm(forms.Form):
    text = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False)


class ExitForm(forms.Form):
    kind = forms.ChoiceField(label=_("退出方式"), choices=ExitKind.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("原因"), widget=forms.Textarea(attrs={"rows": 2}), max_length=200,
                             required=False)  # fmt: skip


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label=_("注销原因"), choices=CloseReason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 2}), max_length=200,
                           required=False)  # fmt: skip


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=iso_date_input())
    visitors = forms.ModelMultipleChoiceField(
        label=_("同去人员"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    observer = forms.ModelChoiceField(
        label=_("陪同的纪检监督员"), queryset=User.objects.none(), required=False, empty_label=_("无")
    )
    address_confirmed = forms.BooleanField(label=_("住址与档案一致"), required=False)
    living_conditions = forms.CharField(
        label=_("居住与生活状况"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    findings = forms.CharField(label=_("走访结论"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    photos = MultipleFileField(label=_("现场照片（JPG/PNG，可多张）"), required=False)

    def __init__(self, *args, members=(), colleagues=None, observers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"].queryset = colleagues if colleagues is not None else User.objects.none()
        self.fields["observer"].queryset = observers if observers is not None else User.objects.none()
        self.fields["visitors"].label_from_instance = lambda u: u.display_name
        if colleagues is not None and not colleagues.exists():
            self.fields["visitors"].help_text = _("没有可以同去的同事账号；走访人记为您本人。")
        self.fields["observer"].label_from_instance = lambda u: u.display_name
        self.member_fields = []
        for member in members:
            name = f"income_{member.pk}"
            # Beside what the file records for the member (the same figure the tier reads, a month of it).
            self.fields[name] = forms.DecimalField(
                label=_("%(n)s 核实月收入") % {"n": member.name}, min_value=0, max_digits=12, decimal_places=2,
                required=False, widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}),
                help_text=_("档案记录：%(m)s 元/月（年收入 %(y)s 元）") % {"m": member.monthly_income,
                                                                        "y": member.annual_income},
            )  # fmt: skip
            self.member_fields.append((member, name))
        self.fields["visited_on"].initial = timezone.localdate()

    def clean_visited_on(self):
        day: date = self.cleaned_data["visited_on"]
        if day > timezone.localdate():
            raise ValidationError(_("走访日期不能晚于今天。"))
        return day

    def verified_incomes(self) -> dict:
        return {
            member.pk: self.cleaned_data[name]
            for member, name in self.member_fields
            if self.cleaned_data.get(name) is not None
        }


class MonthlyIncomeForm(forms.Form):
    month = forms.DateField(label=_("月份"), widget=forms.DateInput(attrs={"type": "month"}), input_formats=["%Y-%m"])
    per_capita_income = forms.DecimalField(label=_("人均月收入（元）"), min_value=0, max_digits=12, decimal_places=2)
