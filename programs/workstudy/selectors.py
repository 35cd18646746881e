"""Every read in 关爱·圆梦, scoped to the acting user in the base queryset.

Centre staff, admins and observers see the seasons and enterprises of their
unions; an enterprise contact sees only their own enterprise, its positions,
and its students once the result is published. What a selector hides is a 404.
"""

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404

from cases.models import Member, Status, WorkStatus
from hardship.access import scope_queryset, scope_unions, user_has_role
from hardship.money import money

from .explain import group_label
from .models import (
    Application,
    ApplicationKind,
    Enterprise,
    MatchRun,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    Result,
    Season,
)
from .roles import MANAGERS, READERS, contact_enterprise_ids
from .services import OTHER_GROUP, OUTSTANDING_GROUP, TIER_GROUP
from .workflow import (
    SEASON_EDITABLE,
    application_workflow,
    placement_workflow,
    position_workflow,
    season_workflow,
)


def _get(queryset: QuerySet, pk):
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# ---------------------------------------------------------------- enterprises


def enterprise_queryset(*, user) -> QuerySet[Enterprise]:
    condition = Q(pk__in=contact_enterprise_ids(user))
    if user_has_role(user, *READERS):
        condition |= Q(pk__in=scope_queryset(Enterprise.objects.all(), user, roles=READERS).values("pk"))
    return Enterprise.objects.filter(condition)


def enterprise_list(*, user, search: str = "") -> QuerySet[Enterprise]:
    enterprises = enterprise_queryset(user=user).select_related("union")
    search = search.strip()
    if search:
        enterprises = enterprises.filter(Q(name__contains=search) | Q(credit_code__startswith=search))
    return enterprises.annotate(position_count=Count("positions")).order_by("name")


def enterprise_get(*, user, pk) -> Enterprise:
    return _get(enterprise_queryset(user=user).select_related("union").prefetch_related("contacts"), pk)


def my_enterprises(*, user) -> QuerySet[Enterprise]:
    """The enterprises an enterprise contact speaks for."""
    return Enterprise.objects.filter(pk__in=contact_enterprise_ids(user)).order_by("name")


# ---------------------------------------------------------------- seasons


def season_queryset(*, user) -> QuerySet[Season]:
    condition = Q(pk__in=[])
    if user_has_role(user, *READERS):
        condition |= Q(pk__in=scope_queryset(Season.objects.all(), user, roles=READERS).values("pk"))
    # A contact sees the seasons run by their enterprise's union or a union above it.
    ancestors = {pk for e in my_enterprises(user=user).select_related("union") for pk in e.union.ancestor_ids}
    if ancestors:
        condition |= Q(union_id__in=ancestors)
    return Season.objects.filter(condition)


def season_list(*, user) -> QuerySet[Season]:
    return (
        season_queryset(user=user)
        .select_related("union")
        .annotate(
            position_count=Count("positions", filter=Q(positions__status=PositionStatus.OPEN), distinct=True),
            application_count=Count("applications", distinct=True),
        )
        .order_by("-starts_on", "-id")
    )


def season_get(*, user, pk) -> Season:
    return _get(season_queryset(user=user).select_related("union"), pk)


def last_match_run(*, season: Season) -> MatchRun | None:
    return season.match_runs.select_related("run_by").first()


def seasons_open_for(*, user, enterprise: Enterprise) -> QuerySet[Season]:
    """Seasons where ``enterprise`` may still post positions."""
    return season_queryset(user=user).filter(union_id__in=enterprise.union.ancestor_ids, status__in=SEASON_EDITABLE)


# ---------------------------------------------------------------- positions


def position_queryset(*, user) -> QuerySet[Position]:
    condition = Q(enterprise_id__in=contact_enterprise_ids(user))
    if user_has_role(user, *READERS):
        condition |= Q(season__in=scope_queryset(Season.objects.all(), user, roles=READERS).values("pk"))
    return Position.objects.filter(condition)


def position_list(*, user, season: Season, enterprise_id: int | None = None, search: str = "") -> QuerySet[Position]:
    positions = position_queryset(user=user).filter(season=season).select_related("enterprise")
    if enterprise_id:
        positions = positions.filter(enterprise_id=enterprise_id)
    search = search.strip()
    if search:
        positions = positions.filter(Q(title__contains=search) | Q(enterprise__name__contains=search))
    return positions.order_by("enterprise__name", "title", "id")


def position_get(*, user, pk) -> Position:
    return _get(position_queryset(user=user).select_related("enterprise__union", "season__union"), pk)


def position_choices(*, season: Season) -> QuerySet[Position]:
    """Positions a student can list: open ones of the season (all enterprises: the list is the centre's)."""
    return (
        Position.objects.filter(season=season, status=PositionStatus.OPEN)
        .select_related("enterprise")
        .order_by("enterprise__name", "title")
    )


# ---------------------------------------------------------------- applications (centre staff only)


def application_queryset(*, user) -> QuerySet[Application]:
    if not user_has_role(user, *READERS):
        return Application.objects.none()
    return Application.objects.filter(season__in=scope_queryset(Season.objects.all(), user, roles=READERS).values("pk"))


GROUP_FILTERS = {
    "extreme": Q(kind=ApplicationKind.HARDSHIP, household__tier="extreme"),
    "deep": Q(kind=ApplicationKind.HARDSHIP, household__tier="deep"),
    "relative": Q(kind=ApplicationKind.HARDSHIP, household__tier="relative"),
    "other": Q(kind=ApplicationKind.HARDSHIP) & ~Q(household__tier__in=["extreme", "deep", "relative"]),
    "outstanding": Q(kind=ApplicationKind.OUTSTANDING),
}


def application_list(
    *, user, season: Season, result: str = "", group: str = "", search: str = ""
) -> QuerySet[Application]:
    applications = application_queryset(user=user).filter(season=season)
    if result in Result.values:
        applications = applications.filter(result=result)
    if group in GROUP_FILTERS:
        applications = applications.filter(GROUP_FILTERS[group])
    search = search.strip()
    if search:
        applications = applications.filter(name__startswith=search)
    return (
        applications.select_related("household", "union")
        .prefetch_related("placements__position__enterprise")
        .order_by("id")
    )


def application_get(*, user, pk) -> Application:
    return _get(
        application_queryset(user=user).select_related(
            "season__union", "household", "member", "union", "registered_by"
        ),
        pk,
    )


def application_preferences(*, application: Application):
    return application.preferences.select_related("position__enterprise").order_by("rank")


def eligible_members(*, user, season: Season) -> QuerySet[Member]:
    """Students of filed households in the user's unions who are old enough and have not applied yet."""
    households_in = scope_unions(user, MANAGERS).filter(path__startswith=season.union.path)
    applied = Application.objects.filter(season=season).values("id_number")
    return (
        Member.objects.filter(
            household__status=Status.FILED,
            household__union__in=households_in,
            work_status=WorkStatus.STUDENT,
            removed=False,
            is_live=True,
            birth_date__lte=latest_birth_date(season.starts_on, season.min_age),
        )
        .exclude(id_number__in=applied)
        .select_related("household__union")
        .order_by("household__union__path", "name")
    )


def latest_birth_date(day: date, years: int) -> date:
    """The latest birth date of someone who is ``years`` old on ``day`` (29 Feb → 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# ---------------------------------------------------------------- placements


def placement_queryset(*, user) -> QuerySet[Placement]:
    # Enterprises see nothing before publication: proposals may still change.
    condition = Q(position__enterprise_id__in=contact_enterprise_ids(user)) & ~Q(status=PlacementStatus.PROPOSED)
    if user_has_role(user, *READERS):
        condition |= Q(season__in=scope_queryset(Season.objects.all(), user, roles=READERS).values("pk"))
    return Placement.objects.filter(condition)


def placement_list(*, user, season: Season | None = None, status: str = "", enterprise_id=None) -> QuerySet[Placement]:
    placements = placement_queryset(user=user).select_related("application", "position__enterprise", "season")
    if season is not None:
        placements = placements.filter(season=season)
    if status in PlacementStatus.values:
        placements = placements.filter(status=status)
    if enterprise_id:
        placements = placements.filter(position__enterprise_id=enterprise_id)
    return placements.order_by("status", "position__enterprise__name", "position__title", "id")


def placement_get(*, user, pk) -> Placement:
    return _get(
        placement_queryset(user=user).select_related(
            "application", "position__enterprise__union", "season__union", "confirmed_by"
        ),
        pk,
    )


# ---------------------------------------------------------------- statistics


def season_statistics(*, season: Season) -> dict:
    """Figures for the season page: enterprises, positions, students placed by tier, pay.

    Called only after ``season_get`` (so the season is in the user's scope).
    """
    positions = Position.objects.filter(season=season, status=PositionStatus.OPEN)
    position_figures = positions.aggregate(
        positions=Count("id"),
        places=Sum("places"),
        filled=Sum("filled"),
        enterprises=Count("enterprise", distinct=True),
    )
    placements = Placement.objects.filter(season=season)
    by_group = {key: {"applied": 0, "placed": 0, "confirmed": 0} for key in GROUP_ROWS}
    rows = (
        Application.objects.filter(season=season)
        .values("kind", "household__tier")
        .annotate(
            applied=Count("id"),
            placed=Count("id", filter=Q(result=Result.PLACED)),
            confirmed=Count(
                "placements",
                filter=Q(placements__status__in=[PlacementStatus.CONFIRMED, PlacementStatus.COMPLETED]),
            ),
        )
    )
    for row in rows:
        key = _group_key(row["kind"], row["household__tier"])
        for field in ("applied", "placed", "confirmed"):
            by_group[key][field] += row[field]
    paid = placements.filter(status=PlacementStatus.COMPLETED).aggregate(
        students=Count("id"), total=Sum("earnings"), days=Sum("days_attended")
    )
    # Sum() of a DecimalField comes back as 2340.5 on SQLite: money always shows its two places.
    total = money(paid["total"] or 0)
    average = money(total / paid["students"]) if paid["students"] else None
    offered = positions.filter(filled__gt=0).aggregate(pay=Sum("pay"), n=Count("id"))
    return {
        **{k: v or 0 for k, v in position_figures.items()},
        "applications": sum(g["applied"] for g in by_group.values()),
        "placed": sum(g["placed"] for g in by_group.values()),
        "by_group": [(group_label(GROUP_ROWS[key]), key, values) for key, values in by_group.items()],
        "confirmed": placements.filter(status__in=[PlacementStatus.CONFIRMED, PlacementStatus.COMPLETED]).count(),
        "paid_students": paid["students"],
        "total_earnings": total,
        "average_earnings": average,
        "days_attended": paid["days"] or 0,
        "average_offered_pay": money(Decimal(offered["pay"]) / offered["n"]) if offered["n"] else None,
        "early_hires": placements.filter(early_hire=True).count(),
    }


def _group_key(kind: str, tier: str | None) -> str:
    if kind == ApplicationKind.OUTSTANDING:
        return "outstanding"
    group = TIER_GROUP.get(tier, OTHER_GROUP)
    return {0: "extreme", 1: "deep", 2: "relative"}.get(group, "other")


# Labels come from explain.group_label at render time; the keys match GROUP_FILTERS.
GROUP_ROWS = {"extreme": 0, "deep": 1, "relative": 2, "other": OTHER_GROUP, "outstanding": OUTSTANDING_GROUP}


# ---------------------------------------------------------------- what the user may do (workflow.py)


def _actions(workflow, obj, user) -> dict:
    return {a.name: a for a in workflow.available_actions(obj, user)}


def season_actions(*, user, season: Season) -> dict:
    return _actions(season_workflow, season, user)


def position_actions(*, user, position: Position) -> dict:
    return _actions(position_workflow, position, user)


def application_actions(*, user, application: Application) -> dict:
    return _actions(application_workflow, application, user)


def placement_actions(*, user, placement: Placement) -> dict:
    return _actions(placement_workflow, placement, user)
