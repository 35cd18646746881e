"""The tickets' forms: the public complaint and tip-off, staff recording one for a worker, and handling."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hardship.models import Union

from .models import AppealSubject, TicketKind


def _phone_ok(value: str) -> str:
    value = (value or "").strip()
    if value and not (value.isdigit() and 7 <= len(value) <= 12):
        raise forms.ValidationError(_("请填写有效的联系电话。"))
    return value


class ComplaintForm(forms.Form):
    # The city's 帮扶中心 receives every complaint and hands it on: the form names no union below it.
    union = forms.ModelChoiceField(
        label=_("投诉受理单位"), queryset=Union.objects.filter(is_active=True, parent__isnull=True).order_by("path"),
        empty_label=None,
    )  # fmt: skip
    about = forms.CharField(label=_("涉及的工会、单位或服务窗口"), max_length=100, required=False)
    name = forms.CharField(label=_("您的姓名"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    text = forms.CharField(label=_("投诉内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_phone(self):
        return _phone_ok(self.cleaned_data["phone"])


class TipOffForm(forms.Form):
    notice_number = forms.IntegerField(label=_("公示编号"), min_value=1, max_value=2**31 - 1,
                                       help_text=_("公示名单上每户的编号。"))  # fmt: skip
    text = forms.CharField(label=_("举报内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))
    anonymous = forms.BooleanField(label=_("匿名举报（不留姓名和电话，将无法答复您）"), required=False, initial=True)
    name = forms.CharField(label=_("您的姓名"), max_length=50, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)

    def clean_phone(self):
        return _phone_ok(self.cleaned_data["phone"])


class StaffTicketForm(forms.Form):
    """Staff record an appeal or a complaint a worker brings to the office (or phones in)."""

    kind = forms.ChoiceField(label=_("类别"), choices=[(TicketKind.APPEAL, TicketKind.APPEAL.label),
                                                      (TicketKind.COMPLAINT, TicketKind.COMPLAINT.label)])  # fmt: skip
    subject = forms.ChoiceField(label=_("申诉事项"), choices=[("", "—"), *AppealSubject.choices], required=False)
    name = forms.CharField(label=_("提出人"), max_length=50)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    text = forms.CharField(label=_("申诉/投诉内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))

    def clean_phone(self):
        return _phone_ok(self.cleaned_data["phone"])


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("答复内容"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    internal = forms.BooleanField(label=_("内部记录（提交人看不到）"), required=False)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("承办人"), queryset=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].label_from_instance = lambda user: user.display_name


class CloseForm(forms.Form):
    outcome = forms.CharField(label=_("办理结果（提交人可见）"), max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
