"""Help beyond cash on a file: thin views — selector → form → service → message → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import FILE_READERS, role_required

from .. import selectors as case_selectors
from . import selectors, services
from .forms import CoverClaimForm, CoverEnrolForm, HelpForm, LoanForm


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
            "can_record_cover": services.can_record_cover(request.user, household),
        },
    )


def _cover_household(request, pk: int):
    """The file, if the user may record 互助保障 on it: 404 outside their scope, 403 for a reader only."""
    household = case_selectors.household_get(user=request.user, pk=pk)
    if not services.can_record_cover(request.user, household):
        raise PermissionDenied
    return household


def _file_cover_url(household) -> str:
    return reverse("cases:household_detail", args=[household.pk]) + "#mutual-cover"


@role_required(*services.COVER_RECORDERS)
def cover_enrol(request, pk: int):
    """Enrol family members in a 互助保障 plan for a year."""
    household = _cover_household(request, pk)
    plans = selectors.cover_plans()
    form = CoverEnrolForm(request.POST or None, members=selectors.cover_members(household=household), plans=plans)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrolments = services.mutual_cover_enrol(
                actor=request.user, household=household, members=list(data["members"]), plan=data["plan"],
                year=data["year"], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已为 %(n)s 名成员办理 %(year)s 年度“%(plan)s”参保。")
                % {"n": len(enrolments), "year": data["year"], "plan": data["plan"].name},
            )
            return redirect(_file_cover_url(household))
    return render(
        request,
        "cases/cover_form.html",
        {"household": household, "form": form, "kind": "enrol", "title": _("办理互助保障参保"),
         "cover": selectors.mutual_cover_summary(household=household),
         "empty": None if plans.exists() else _("尚未设置互助保障计划，请联系系统管理员在“系统管理”中添加。")},
    )  # fmt: skip


@role_required(*services.COVER_RECORDERS)
def cover_claim(request, pk: int):
    """Record a claim the plan paid for a member's hospital stay or illness."""
    household = _cover_household(request, pk)
    form = CoverClaimForm(
        request.POST or None, members=selectors.claim_members(household=household), plans=selectors.cover_plans()
    )
    if request.method == "POST" and form.is_valid():
        try:
            claim = services.mutual_cover_claim(actor=request.user, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("已登记 %(name)s 的互助保障赔付 %(amount)s 元。")
                % {"name": form.cleaned_data["member"].name, "amount": claim.amount},
            )
            return redirect(_file_cover_url(household))
    cover = selectors.mutual_cover_summary(household=household)
    return render(
        request,
        "cases/cover_form.html",
        {"household": household, "form": form, "kind": "claim", "title": _("登记互助保障赔付"), "cover": cover,
         "empty": None if cover else _("本户尚无参保记录：赔付须登记在参保记录下，请先办理参保。")},
    )  # fmt: skip


support_urlpatterns = [
    path("<int:pk>/help/", help_add, name="help_add"),
    path("<int:pk>/support/", support_detail, name="support_detail"),
    path("<int:pk>/cover/enrol/", cover_enrol, name="cover_enrol"),
    path("<int:pk>/cover/claim/", cover_claim, name="cover_claim"),
]
