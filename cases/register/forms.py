"""Input shape of the register upload: which kind of register, which union it belongs to, and the file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms_excel import UnionChoiceField


class RegisterUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"))
    union = UnionChoiceField(
        label=_("导入到工会"),
        queryset=None,
        empty_label=_("请选择工会"),
        help_text=_("文件中“所属工会”留空的档案归属所选工会；填写的工会须是所选工会或其下级工会。"),
    )
    file = forms.FileField(
        label=_("文件"),
        help_text=_("使用下载的模板，.xlsx 或 .csv（UTF-8），不超过 200 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, unions, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions
        self.fields["kind"].choices = [(k.name, k.label) for k in kinds]
