"""Caring enterprises and the positions they offer."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, scope_unions, user_has_role
from hardship.pagination import paginate
from hardship.workflow import ActionRefused

from .. import selectors, services
from ..forms import (
    EnterpriseForm,
    PositionForm,
)
from ..roles import CONTACTS, MANAGERS, READERS, USERS, manages
from ..workflow import season_workflow
from .common import SENTINEL, attempt, can_manage, is_contact_only

# ---------------------------------------------------------------- enterprises


@role_required(*READERS)
def enterprise_list(request):
    search = request.GET.get("q", "")[:50]
    page = paginate(selectors.enterprise_list(user=request.user, search=search), request.GET.get("page"))
    return render(
        request,
        "workstudy/enterprise_list.html",
        {"page": page, "search": search, "can_manage": user_has_role(request.user, *MANAGERS)},
    )


@role_required(*USERS)
def enterprise_detail(request, pk: int):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    positions = selectors.position_queryset(user=request.user).filter(enterprise=enterprise).select_related("season")
    return render(
        request,
        "workstudy/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "positions": paginate(positions.order_by("-season__starts_on", "title"), request.GET.get("page")),
            "can_edit": manages(request.user, enterprise.union),
        },
    )


@role_required(*MANAGERS)
def enterprise_create(request):
    unions = scope_unions(request.user, MANAGERS).order_by("path")
    form = EnterpriseForm(request.POST or None, unions=unions)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "contacts")}
        enterprise = attempt(
            request,
            lambda: services.enterprise_create(
                actor=request.user,
                union=form.cleaned_data["union"],
                data=data,
                contacts=list(form.cleaned_data["contacts"]),
                request=request,
            ),
            form,
        )
        if enterprise is not SENTINEL:
            messages.success(request, _("已登记爱心企业“%(name)s”。") % {"name": enterprise.name})
            return redirect("workstudy:enterprise_detail", pk=enterprise.pk)
    return render(request, "workstudy/enterprise_form.html", {"form": form})


@role_required(*MANAGERS)
def enterprise_edit(request, pk: int):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    if not manages(request.user, enterprise.union):
        raise PermissionDenied
    unions = scope_unions(request.user, MANAGERS)
    form = EnterpriseForm(request.POST or None, instance=enterprise, unions=unions, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "contacts"}
        result = attempt(
            request,
            lambda: services.enterprise_update(
                actor=request.user,
                enterprise_id=pk,
                data=data,
                contacts=list(form.cleaned_data["contacts"]),
                request=request,
            ),
            form,
        )
        if result is not SENTINEL:
            messages.success(request, _("企业信息已保存。"))
            return redirect("workstudy:enterprise_detail", pk=pk)
    return render(request, "workstudy/enterprise_form.html", {"form": form, "enterprise": enterprise})


# ---------------------------------------------------------------- positions


def _position_enterprises(request, season):
    """The enterprises the user may post for in ``season``; None when a contact has exactly one."""
    if user_has_role(request.user, *MANAGERS) and can_manage(request.user, season):
        return selectors.enterprise_queryset(user=request.user).filter(
            is_active=True, union__path__startswith=season.union.path
        )
    return selectors.my_enterprises(user=request.user).filter(is_active=True, union__path__startswith=season.union.path)


@role_required(*MANAGERS, *CONTACTS)
def position_create(request, season_pk: int):
    season = selectors.season_get(user=request.user, pk=season_pk)
    enterprises = _position_enterprises(request, season)
    if not enterprises.exists():
        messages.error(request, _("您没有可以在本期发布岗位的爱心企业。"))
        return redirect("workstudy:home")
    try:
        season_workflow.check(season, request.user, "post_position")
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("workstudy:season_detail", pk=season.pk)
    single = enterprises.first() if enterprises.count() == 1 else None
    form = PositionForm(request.POST or None, enterprises=None if single else enterprises)
    if request.method == "POST" and form.is_valid():
        enterprise = single or form.cleaned_data["enterprise"]
        data = {k: v for k, v in form.cleaned_data.items() if k != "enterprise"}
        position = attempt(
            request,
            lambda: services.position_create(
                actor=request.user, season_id=season.pk, enterprise_id=enterprise.pk, data=data, request=request
            ),
            form,
        )
        if position is not SENTINEL:
            messages.success(
                request, _("岗位“%(title)s”已发布到%(season)s。") % {"title": position.title, "season": season}
            )
            if is_contact_only(request.user):
                return redirect("workstudy:home")
            return redirect("workstudy:season_detail", pk=season.pk)
    return render(request, "workstudy/position_form.html", {"form": form, "season": season, "enterprise": single})


@role_required(*USERS)
def position_detail(request, pk: int):
    position = selectors.position_get(user=request.user, pk=pk)
    placements = selectors.placement_list(user=request.user).filter(position=position)
    return render(
        request,
        "workstudy/position_detail.html",
        {"position": position, "placements": placements,
         "actions": selectors.position_actions(user=request.user, position=position)},
    )  # fmt: skip


@role_required(*MANAGERS, *CONTACTS)
def position_edit(request, pk: int):
    position = selectors.position_get(user=request.user, pk=pk)
    form = PositionForm(request.POST or None, instance=position)
    if request.method == "POST" and form.is_valid():
        result = attempt(
            request,
            lambda: services.position_update(
                actor=request.user, position_id=pk, data=form.cleaned_data, request=request
            ),
            form,
        )
        if result is not SENTINEL:
            messages.success(request, _("岗位已保存。"))
            return redirect("workstudy:position_detail", pk=pk)
    return render(
        request,
        "workstudy/position_form.html",
        {"form": form, "season": position.season, "enterprise": position.enterprise, "position": position},
    )


@require_POST
@role_required(*MANAGERS, *CONTACTS)
def position_withdraw(request, pk: int):
    position = selectors.position_get(user=request.user, pk=pk)
    result = attempt(
        request, lambda: services.position_withdraw(actor=request.user, position_id=position.pk, request=request)
    )
    if result is not SENTINEL:
        messages.success(request, _("岗位已撤回。"))
    return redirect("workstudy:position_detail", pk=pk)
