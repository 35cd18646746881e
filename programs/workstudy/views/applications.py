"""Registering students and adjusting their placement before publishing."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, scope_unions

from .. import selectors, services
from ..explain import explain, group_label
from ..forms import (
    AssignForm,
    HardshipApplicationForm,
    OutstandingApplicationForm,
)
from ..roles import MANAGERS, READERS
from .common import SENTINEL, attempt

# ---------------------------------------------------------------- applications


@role_required(*MANAGERS)
def application_create(request, season_pk: int):
    season = selectors.season_get(user=request.user, pk=season_pk)
    members = selectors.eligible_members(user=request.user, season=season)
    form = HardshipApplicationForm(
        request.POST or None, season=season, members=members, positions=selectors.position_choices(season=season)
    )
    if request.method == "POST" and form.is_valid():
        details = services.StudentDetails(
            school_name=form.cleaned_data["school_name"],
            major=form.cleaned_data["major"],
            phone=form.cleaned_data["phone"],
        )
        application = attempt(
            request,
            lambda: services.application_register(
                actor=request.user,
                season_id=season.pk,
                member_id=form.cleaned_data["member"].pk,
                details=details,
                preferences=form.preference_ids(),
                request=request,
            ),
            form,
        )
        if application is not SENTINEL:
            messages.success(request, _("%(name)s 已报名%(season)s。") % {"name": application.name, "season": season})
            return redirect("workstudy:season_results", pk=season.pk)
    return render(
        request,
        "workstudy/application_form.html",
        {"form": form, "season": season, "outstanding": False, "member_count": members.count()},
    )


@role_required(*MANAGERS)
def application_create_outstanding(request, season_pk: int):
    season = selectors.season_get(user=request.user, pk=season_pk)
    unions = scope_unions(request.user, MANAGERS).filter(path__startswith=season.union.path).order_by("path")
    form = OutstandingApplicationForm(
        request.POST or None, unions=unions, positions=selectors.position_choices(season=season)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        application = attempt(
            request,
            lambda: services.application_register_outstanding(
                actor=request.user,
                season_id=season.pk,
                union=data["union"],
                name=data["name"],
                id_number=data["id_number"],
                school_level=data["school_level"],
                details=services.StudentDetails(
                    school_name=data["school_name"], major=data["major"], phone=data["phone"]
                ),
                preferences=form.preference_ids(),
                request=request,
            ),
            form,
        )
        if application is not SENTINEL:
            messages.success(request, _("%(name)s 已作为优秀学生报名。") % {"name": application.name})
            return redirect("workstudy:season_results", pk=season.pk)
    return render(request, "workstudy/application_form.html", {"form": form, "season": season, "outstanding": True})


@role_required(*READERS)
def application_detail(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    season = application.season
    placement = application.placements.select_related("position__enterprise").first()
    actions = selectors.application_actions(user=request.user, application=application)
    can_adjust = any(a.allowed for a in actions.values())
    return render(
        request,
        "workstudy/application_detail.html",
        {
            "application": application,
            "season": season,
            "placement": placement,
            "preferences": selectors.application_preferences(application=application),
            "why": explain(application),
            "group": group_label(services.group_of(application)),
            "actions": actions,
            "can_adjust": can_adjust,
            "assign_form": AssignForm(positions=selectors.position_choices(season=season))
            if "assign" in actions and actions["assign"].allowed
            else None,
        },
    )


@require_POST
@role_required(*MANAGERS)
def application_assign(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    form = AssignForm(request.POST, positions=selectors.position_choices(season=application.season))
    if not form.is_valid():
        messages.error(request, _("请选择要安排的岗位。"))
        return redirect("workstudy:application_detail", pk=pk)
    position = form.cleaned_data["position"]
    result = attempt(
        request,
        lambda: services.placement_assign(
            actor=request.user, application_id=application.pk, position_id=position.pk, request=request
        ),
    )
    if result is not SENTINEL:
        messages.success(request, _("已将 %(name)s 安排到「%(p)s」。") % {"name": application.name, "p": position})
    return redirect("workstudy:application_detail", pk=pk)


@require_POST
@role_required(*MANAGERS)
def application_unassign(request, pk: int):
    application = selectors.application_get(user=request.user, pk=pk)
    result = attempt(
        request, lambda: services.placement_unassign(actor=request.user, application_id=application.pk, request=request)
    )
    if result is not SENTINEL:
        messages.success(request, _("已取消 %(name)s 的安排，岗位名额已释放。") % {"name": application.name})
    return redirect("workstudy:application_detail", pk=pk)
