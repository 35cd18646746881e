"""The landing page (staff and enterprise), seasons, matching, results and statistics."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, scope_unions, user_has_role
from hardship.pagination import paginate

from .. import selectors, services
from ..explain import explain, group_label
from ..forms import (
    SeasonForm,
)
from ..models import Result, SeasonStatus
from ..roles import MANAGERS, READERS, USERS
from .common import SENTINEL, attempt, can_manage, is_contact_only

# ---------------------------------------------------------------- landing


@role_required(*USERS)
def home(request):
    if is_contact_only(request.user):
        return _enterprise_home(request)
    page = paginate(selectors.season_list(user=request.user), request.GET.get("page"), per_page=20)
    return render(
        request,
        "workstudy/home.html",
        {"page": page, "can_manage": user_has_role(request.user, *MANAGERS)},
    )


HOME_POSITIONS, HOME_PLACEMENTS = 20, 100


def _enterprise_home(request):
    """The enterprise contact's one page: their enterprise, seasons to post in, positions and students.

    Short lists on purpose (a phone screen); the enterprise page pages through every position.
    """
    cards = []
    for enterprise in selectors.my_enterprises(user=request.user).select_related("union"):
        positions = (
            selectors.position_queryset(user=request.user)
            .filter(enterprise=enterprise)
            .select_related("season")
            .order_by("-season__starts_on", "title")
        )
        placements = (
            selectors.placement_list(user=request.user, enterprise_id=enterprise.pk)
            .exclude(season__status=SeasonStatus.CLOSED)
            .order_by("status", "id")
        )
        shown_positions, shown_placements = list(positions[:HOME_POSITIONS]), list(placements[:HOME_PLACEMENTS])
        cards.append(
            {
                "enterprise": enterprise,
                "seasons": list(selectors.seasons_open_for(user=request.user, enterprise=enterprise)),
                "positions": shown_positions,
                "more_positions": len(shown_positions) == HOME_POSITIONS and positions.count() > HOME_POSITIONS,
                "placements": shown_placements,
                "more_placements": placements.count() - HOME_PLACEMENTS
                if len(shown_placements) == HOME_PLACEMENTS
                else 0,
            }
        )
    return render(request, "workstudy/enterprise_home.html", {"cards": cards})


# ---------------------------------------------------------------- seasons


@role_required(*MANAGERS)
def season_create(request):
    unions = scope_unions(request.user, MANAGERS).order_by("path")
    form = SeasonForm(request.POST or None, unions=unions, initial={"min_age": 16, "year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items()}
        season = attempt(request, lambda: services.season_create(actor=request.user, request=request, **data), form)
        if season is not SENTINEL:
            messages.success(request, _("已建立%(season)s，现在可以征集岗位和报名。") % {"season": season})
            return redirect("workstudy:season_detail", pk=season.pk)
    return render(request, "workstudy/season_form.html", {"form": form})


@role_required(*USERS)
def season_detail(request, pk: int):
    season = selectors.season_get(user=request.user, pk=pk)
    search = request.GET.get("q", "")[:50]
    positions = selectors.position_list(user=request.user, season=season, search=search)
    staff = user_has_role(request.user, *READERS)
    context = {
        "season": season,
        "positions": paginate(positions, request.GET.get("page")),
        "search": search,
        "staff": staff,
        "can_manage": can_manage(request.user, season),
        "actions": selectors.season_actions(user=request.user, season=season),
        "my_enterprises": [
            e
            for e in selectors.my_enterprises(user=request.user).select_related("union")
            if e.union.is_within(season.union)
        ],
    }
    if staff:
        context["stats"] = selectors.season_statistics(season=season)
        context["last_run"] = selectors.last_match_run(season=season)
    return render(request, "workstudy/season_detail.html", context)


def _season_action(request, pk: int, action, success: str):
    season = selectors.season_get(user=request.user, pk=pk)
    result = attempt(request, lambda: action(actor=request.user, season_id=season.pk, request=request))
    if result is not SENTINEL:
        messages.success(request, success(result))
    return result


@require_POST
@role_required(*MANAGERS)
def season_match(request, pk: int):
    result = _season_action(
        request,
        pk,
        services.season_run_matching,
        lambda run: (
            _("匹配完成：%(s)d 名学生中安排 %(p)d 名，用时 %(t)s 秒，结果已通过独立校验。请核对后发布。")
            % {"s": run.students, "p": run.placed, "t": run.seconds}
        ),
    )
    if result is SENTINEL:
        return redirect("workstudy:season_detail", pk=pk)
    return redirect("workstudy:season_results", pk=pk)


@require_POST
@role_required(*MANAGERS)
def season_publish(request, pk: int):
    _season_action(
        request,
        pk,
        services.season_publish,
        lambda n: _("已发布：%(n)d 条安排对企业可见，等待企业确认。") % {"n": n},
    )
    return redirect("workstudy:season_results", pk=pk)


@require_POST
@role_required(*MANAGERS)
def season_close(request, pk: int):
    _season_action(request, pk, services.season_close, lambda s: _("%(season)s已结束。") % {"season": s})
    return redirect("workstudy:season_detail", pk=pk)


@role_required(*READERS)
def season_results(request, pk: int):
    season = selectors.season_get(user=request.user, pk=pk)
    params = {
        "result": request.GET.get("result", "") if request.GET.get("result") in Result.values else "",
        "group": request.GET.get("group", "") if request.GET.get("group") in selectors.GROUP_FILTERS else "",
        "search": request.GET.get("q", "")[:50],
    }
    page = paginate(selectors.application_list(user=request.user, season=season, **params), request.GET.get("page"))
    rows = [{"application": a, "placement": next(iter(a.placements.all()), None), "why": explain(a)} for a in page]
    return render(
        request,
        "workstudy/season_results.html",
        {
            "season": season,
            "page": page,
            "rows": rows,
            "params": params,
            "filtered": any(params.values()),
            "results": Result.choices,
            "groups": [(key, group_label(g)) for key, g in selectors.GROUP_ROWS.items()],
            "can_manage": can_manage(request.user, season),
            "last_run": selectors.last_match_run(season=season),
        },
    )


@role_required(*READERS)
def season_stats(request, pk: int):
    season = selectors.season_get(user=request.user, pk=pk)
    return render(
        request,
        "workstudy/season_stats.html",
        {"season": season, "stats": selectors.season_statistics(season=season)},
    )
