from django import forms
from django.utils.translation import gettext_lazy as _


class DestructionDecisionForm(forms.Form):
    note = forms.CharField(label=_("意见"), required=False, max_length=200, widget=forms.Textarea(attrs={"rows": 2}))
    confirm = forms.BooleanField(label=_("我已逐户核对清单：这些档案已保存满 10 年，批准后个人信息将被清除且不能恢复"))

    def __init__(self, *args, name: str, **kwargs):
        super().__init__(*args, **kwargs)
        if name == "reject":
            self.fields["note"].required = True
            self.fields["note"].label = _("驳回理由")
            self.fields.pop("confirm")
        elif name == "submit":
            self.fields.pop("note")
            self.fields["confirm"].label = _("我已逐户核对清单，提请另一位帮扶中心工作人员批准销毁")
