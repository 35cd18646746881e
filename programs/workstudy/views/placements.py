"""A student at an enterprise: confirming and recording attendance and earnings."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, user_has_role

from .. import selectors, services
from ..forms import (
    ConfirmForm,
    EarningsForm,
)
from ..roles import CONTACTS, MANAGERS, READERS, USERS
from .common import SENTINEL, attempt

# ---------------------------------------------------------------- placements


def _placement_context(request, placement, confirm_form=None, earnings_form=None) -> dict:
    actions = selectors.placement_actions(user=request.user, placement=placement)
    confirm, earnings = actions.get("confirm"), actions.get("record_earnings")
    minor = placement.application.is_minor_at_start
    if confirm_form is None and confirm and confirm.allowed:
        confirm_form = ConfirmForm(
            minor=minor, initial={"starts_on": placement.season.starts_on, "ends_on": placement.season.ends_on}
        )
    if earnings_form is None and earnings and earnings.allowed:
        earnings_form = EarningsForm(
            initial={
                "days_attended": placement.days_attended,
                "earnings": placement.earnings,
                "evaluation": placement.evaluation,
                "early_hire": placement.early_hire,
            }
        )
    return {
        "placement": placement,
        "application": placement.application,
        "position": placement.position,
        "season": placement.season,
        "minor": minor,
        "confirm_form": confirm_form if confirm and confirm.allowed else None,
        "earnings_form": earnings_form if earnings and earnings.allowed else None,
        "staff": user_has_role(request.user, *READERS),
    }


@role_required(*USERS)
def placement_detail(request, pk: int):
    placement = selectors.placement_get(user=request.user, pk=pk)
    return render(request, "workstudy/placement_detail.html", _placement_context(request, placement))


@require_POST
@role_required(*MANAGERS, *CONTACTS)
def placement_confirm(request, pk: int):
    placement = selectors.placement_get(user=request.user, pk=pk)
    form = ConfirmForm(request.POST, minor=placement.application.is_minor_at_start)
    if form.is_valid():
        result = attempt(
            request,
            lambda: services.placement_confirm(
                actor=request.user,
                placement_id=placement.pk,
                starts_on=form.cleaned_data["starts_on"],
                ends_on=form.cleaned_data["ends_on"],
                health_checked=form.cleaned_data["health_checked"],
                request=request,
            ),
            form,
        )
        if result is not SENTINEL:
            messages.success(request, _("已确认 %(name)s 上岗。") % {"name": placement.application.name})
            return redirect("workstudy:placement_detail", pk=pk)
    return render(request, "workstudy/placement_detail.html", _placement_context(request, placement, confirm_form=form))


@require_POST
@role_required(*MANAGERS, *CONTACTS)
def placement_earnings(request, pk: int):
    placement = selectors.placement_get(user=request.user, pk=pk)
    form = EarningsForm(request.POST)
    if form.is_valid():
        result = attempt(
            request,
            lambda: services.placement_record_earnings(
                actor=request.user, placement_id=placement.pk, request=request, **form.cleaned_data
            ),
            form,
        )
        if result is not SENTINEL:
            messages.success(
                request,
                _("已登记 %(name)s 的出勤和报酬：%(d)s 天，%(e)s 元。")
                % {"name": placement.application.name, "d": result.days_attended, "e": result.earnings},
            )
            return redirect("workstudy:placement_detail", pk=pk)
    return render(
        request, "workstudy/placement_detail.html", _placement_context(request, placement, earnings_form=form)
    )
