"""Input shape of the Excel import page: which union the households join, and the file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from hardship.models import Union


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, union: Union) -> str:
        # Indented by depth, so the tree reads as a tree in the dropdown.
        return "\u3000" * union.depth + union.name


class HouseholdImportForm(forms.Form):
    union = UnionChoiceField(
        label=_("导入到工会"),
        queryset=Union.objects.none(),
        empty_label=_("请选择工会"),
        help_text=_("导入的家庭档案都归属所选工会，困难类别按该工会适用的认定标准计算。"),
    )
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用下载的模板填写，.xlsx 格式，不超过 5 MB。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        if len(only := list(unions[:2])) == 1:
            self.fields["union"].initial = only[0]  # a union with one 干事: nothing to choose
