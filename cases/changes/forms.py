"""Input shape of a 变更申请: one small form per kind, made for a phone (one column, few fields)."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from ..forms import MAX_HOUSEHOLD_AMOUNT, MONEY_ATTRS, MemberForm, _non_negative, card_number, phone_number
from ..models import Household, Member, Relation
from .models import REASONS_OF_KIND, ChangeKind
from .services import HOUSEHOLD_FIELDS_OF_KIND, MEMBER_FIELDS


class _ChangeFields:
    """The reason (from the kind's list) and the note every change carries."""

    def _reason_and_note(self, kind: str) -> None:
        self.fields["reason"] = forms.ChoiceField(
            label=_("变更原因"), choices=[(r.value, r.label) for r in REASONS_OF_KIND[ChangeKind(kind)]]
        )
        self.fields["note"] = forms.CharField(
            label=_("情况说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("例如：2026 年 3 月出生，已办理户口登记；证明材料请上传到档案。"),
        )  # fmt: skip
        self.order_fields(["reason", *[f for f in self.fields if f not in ("reason", "note")], "note"])


class MemberAddForm(_ChangeFields, MemberForm):
    """A new member (birth, marriage): the member row of the household form, plus why."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["id"]
        self.fields["relation"].choices = [c for c in self.fields["relation"].choices if c[0] != Relation.SELF]
        self._reason_and_note(ChangeKind.MEMBER_ADD)


class MemberChangeForm(_ChangeFields, MemberForm):
    """A member's work, school, health or income as it is now (the 身份证号 is the person: not changed here)."""

    def __init__(self, *args, member: Member, **kwargs):
        kwargs.setdefault("initial", {f: getattr(member, f) for f in MEMBER_FIELDS})
        super().__init__(*args, **kwargs)
        del self.fields["id"], self.fields["id_number"]
        if member.relation == Relation.SELF:
            self.fields["relation"].disabled = True
        else:
            self.fields["relation"].choices = [c for c in self.fields["relation"].choices if c[0] != Relation.SELF]
        self._reason_and_note(ChangeKind.MEMBER_CHANGE)


class MemberRemoveForm(_ChangeFields, forms.Form):
    member = forms.ModelChoiceField(label=_("减少的成员"), queryset=Member.objects.none(), empty_label=_("请选择"))

    def __init__(self, *args, household: Household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = household.members.filter(removed=False).exclude(relation=Relation.SELF)
        self.fields["member"].label_from_instance = lambda m: f"{m.name} · {m.get_relation_display()}"
        self._reason_and_note(ChangeKind.MEMBER_REMOVE)


class HouseholdChangeForm(_ChangeFields, forms.ModelForm):
    """Employer, payee card or 刚性支出: the household's own fields of the kind, filled with what the file says."""

    class Meta:
        model = Household
        fields = ["employer", "bank_name", "bank_branch", "bank_card", "expense_medical", "expense_disability",
                  "expense_schooling", "expense_housing", "sudden_event_cost", "sudden_event_note"]  # fmt: skip

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [f for f in self.fields if f not in HOUSEHOLD_FIELDS_OF_KIND[ChangeKind(kind)]]:
            del self.fields[name]
        for field in self.fields.values():
            if isinstance(field, forms.DecimalField):
                field.widget.attrs.update(MONEY_ATTRS)
                field.min_value = Decimal("0")
                field.validators += [_non_negative, MaxValueValidator(MAX_HOUSEHOLD_AMOUNT)]
        if "bank_card" in self.fields:
            self.fields["bank_card"].label = _("新银行卡号（户主本人）")
            self.fields["bank_card"].max_length = 30
            self.fields["bank_card"].validators = []
            self.fields["bank_card"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off",
                                                          "maxlength": 30})  # fmt: skip
            self.fields["bank_name"].required = True
            self.fields["bank_card"].required = True
        if "employer" in self.fields:
            self.fields["employer"].label = _("新的工作单位")
        self._reason_and_note(kind)

    def clean_bank_card(self):
        return card_number(self.cleaned_data.get("bank_card", ""))

    def _post_clean(self):
        pass  # the file is changed by the service on approval, never by this form


def change_form(kind: str, household: Household, member: Member | None, data=None):
    if kind == ChangeKind.MEMBER_ADD:
        return MemberAddForm(data)
    if kind == ChangeKind.MEMBER_CHANGE:
        return MemberChangeForm(data, member=member)
    if kind == ChangeKind.MEMBER_REMOVE:
        return MemberRemoveForm(data, household=household)
    return HouseholdChangeForm(data, instance=household, kind=kind)


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), required=False, max_length=500,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    confirm = forms.BooleanField(label=_("我已核对变更前后的内容和困难类别的变化"), required=True)


class ContactForm(forms.ModelForm):
    """Phone and address: changed on a filed file directly (audited), no approval needed."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Household
        fields = ["phone", "address"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})

    def clean_phone(self):
        return phone_number(self.cleaned_data["phone"])

    def _post_clean(self):
        pass  # saved by household_contact_update, with the audit event
