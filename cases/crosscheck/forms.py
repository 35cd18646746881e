"""Input shapes of 信息比对's pages (Chinese errors; the services decide)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import INCOME_SOURCES, Member
from .models import RequestScope


class ConsentForm(forms.Form):
    members = forms.MultipleChoiceField(label=_("签署成员"), widget=forms.CheckboxSelectMultiple)
    file = forms.FileField(label=_("授权书（PDF/JPG/PNG）"))
    signed_on = forms.DateField(label=_("签署日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("有效期至"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    registries = forms.MultipleChoiceField(label=_("授权核对范围"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members, registries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(m.pk, f"{m.name}（{m.get_relation_display()}）") for m in members]
        self.fields["registries"].choices = [(r.pk, r.name) for r in registries]
        self.fields["registries"].initial = [r.pk for r in registries]
        self.fields["members"].initial = [m.pk for m in members]
        today = timezone.localdate()
        self.fields["signed_on"].initial = today
        self.fields["valid_until"].initial = today.replace(year=today.year + 1)


class RequestForm(forms.Form):
    union = forms.ChoiceField(label=_("工会"))
    scope = forms.ChoiceField(label=_("核对范围"), choices=RequestScope.choices)
    registries = forms.MultipleChoiceField(label=_("比对部门"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, unions, registries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = [(u.pk, u.name) for u in unions]
        self.fields["registries"].choices = [(r.pk, r.name) for r in registries]


class ResultForm(forms.Form):
    registry = forms.ChoiceField(label=_("比对部门"))
    result_date = forms.DateField(
        label=_("结果日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    file = forms.FileField(label=_("结果文件（CSV，UTF-8）"))

    def __init__(self, *args, registries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registry"].choices = [(r.pk, r.name) for r in registries]
        self.fields["result_date"].initial = timezone.localdate()


def income_choices():
    return [(f, Member._meta.get_field(f).verbose_name) for f in INCOME_SOURCES]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("处理意见"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    income_source = forms.ChoiceField(label=_("收入项目"), required=False)
    monthly = forms.DecimalField(label=_("核实后的月收入（元）"), required=False, min_value=0, max_digits=10,
                                 decimal_places=2)  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["income_source"].choices = [("", "—"), *income_choices()]
