"""Help beyond cash on a file: thin views — selector → form → service → message → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import FILE_READERS, role_required

from .. import selectors as case_selectors
from . import selectors, services
from .forms import HelpForm, LoanForm


@require_POST
@role_required(*services.HELP_RECORDERS)
def help_add(request, pk: int):
    household = case_selectors.household_get(user=request.user, pk=pk)
    form = HelpForm(request.POST)
    if form.is_valid():
        try:
            services.help_record(actor=request.user, household=household, request=request, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("已记录帮扶。"))
    else:
        messages.error(request, _("帮扶记录未保存：%s") % " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("cases:household_detail", pk=household.pk)


@role_required(*FILE_READERS)
def support_detail(request, pk: int):
    """The file's help beyond cash: the timeline, 互助保障 and the 创业贷 subsidy step by step."""
    household = case_selectors.household_get(user=request.user, pk=pk)
    can_record = services.can_record_help(request.user, household)
    form = LoanForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.loan_record(actor=request.user, household=household, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("已记录创业贷。"))
                return redirect("cases:support_detail", pk=household.pk)
    return render(
        request,
        "cases/support_detail.html",
        {
            "household": household,
            "help": selectors.help_timeline(household=household),
            "loans": selectors.loans_with_subsidy(household=household),
            "cover": selectors.mutual_cover(household=household),
            "loan_form": form,
            "can_record": can_record,
        },
    )


support_urlpatterns = [
    path("<int:pk>/help/", help_add, name="help_add"),
    path("<int:pk>/support/", support_detail, name="support_detail"),
]
