from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NonCashHelp, StartupLoan


class HelpForm(forms.ModelForm):
    class Meta:
        model = NonCashHelp
        fields = ["kind", "given_on", "mentor_name", "goods_value", "note"]
        widgets = {"given_on": forms.DateInput(attrs={"type": "date"})}


class LoanForm(forms.ModelForm):
    class Meta:
        model = StartupLoan
        fields = ["amount", "start_date", "lender"]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"})}
        help_texts = {"amount": _("不超过 300,000 元")}
