"""Reads of household files, always scoped to the acting user's unions."""

import re
from datetime import timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hardship.access import FILE_READERS, root_unions, scope_queryset, scope_unions, user_has_role
from hardship.dates import add_months
from hardship.models import AuditEvent, Role, RoleAssignment, Union

from .models import Attachment, HomeVisit, Household, Member, Opinion, Status

SORTS = {
    "-id": ("-id",),
    "id": ("id",),
    "per_capita": ("per_capita_income", "-id"),
    "-per_capita": ("-per_capita_income", "-id"),
    "name": ("head_name", "-id"),
}

_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{6,}$")


def household_queryset(*, user) -> QuerySet[Household]:
    """Every household file the user may read: the base of every list, count and export."""
    return scope_queryset(Household.objects.all(), user, roles=FILE_READERS)


def household_list(
    *,
    user,
    search: str = "",
    union_id: int | None = None,
    tier: str = "",
    status: str = "",
    cause: str = "",
    sort: str = "-id",
) -> QuerySet[Household]:
    """The list page and the export: search by name, 身份证号 or phone; filters; sorting.

    A full 身份证号 matches any member of the household; a name matches the
    head's name from its start; digits match the phone from its start.
    """
    households = household_queryset(user=user)
    search = search.strip()
    if search:
        if _ID_LIKE.match(search):
            households = households.filter(
                pk__in=Member.objects.filter(id_number=search.upper(), removed=False).values("household_id")
            )
        elif _DIGITS.match(search):
            households = households.filter(phone__startswith=search)
        else:
            households = households.filter(head_name__startswith=search)
    if union_id:
        # As in scope_queryset: the union ids by a subquery, not a join, so the (…, id) indexes serve the page.
        households = households.filter(
            union__in=Union.objects.filter(path__startswith=_union_path(user, union_id)).values("pk")
        )
    if tier:
        households = households.filter(tier=tier)
    if status:
        households = households.filter(status=status)
    if cause:
        households = households.filter(main_cause=cause)
    return households.select_related("union").order_by(*SORTS.get(sort, SORTS["-id"]))


def _union_path(user, union_id: int) -> str:
    union = scope_unions(user, FILE_READERS).filter(pk=union_id).only("path").first()
    # An out-of-scope union filters to nothing rather than leaking that it exists.
    return union.path if union else "//none//"


def household_get(*, user, pk: int) -> Household:
    """One file with everything the detail page shows, in a fixed number of queries."""
    try:
        return (
            household_queryset(user=user)
            .select_related("union", "standard", "created_by", "updated_by")
            .select_related("submitted_by", "first_reviewer", "second_reviewer", "second_review_org")  # review panel
            .prefetch_related(
                Prefetch("members", queryset=Member.objects.filter(removed=False).order_by("position", "id")),
                Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
                Prefetch(
                    "visits",
                    # The photos are only counted here: an annotation, not a third query.
                    queryset=HomeVisit.objects.select_related("observer", "recorded_by")
                    .prefetch_related("visitors")
                    .annotate(photo_count=Count("photos")),
                ),
                Prefetch("opinions", queryset=Opinion.objects.select_related("actor")),
            )
            .get(pk=pk)
        )
    except Household.DoesNotExist as exc:
        raise Http404 from exc


def household_history(*, household: Household) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(target_type="cases.household", target_id=str(household.pk))
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# The review chain.

QUEUES = {
    # name: (label, roles that see it)
    "first": (_("待初审"), (Role.GRASSROOTS_STAFF, Role.CASEWORKER)),
    "returned": (_("退回补正"), (Role.GRASSROOTS_STAFF,)),
    "assign": (_("待派单复审"), (Role.CENTRE_STAFF,)),
    "second": (_("待复审"), (Role.THIRD_PARTY_REVIEWER,)),
    "notice": (_("公示中"), (Role.CENTRE_STAFF, Role.DISCIPLINE_OBSERVER, Role.GRASSROOTS_STAFF)),
    "to_file": (_("公示期满待建档"), (Role.CENTRE_STAFF,)),
    "yearly": (_("年度复核到期"), (Role.GRASSROOTS_STAFF, Role.CASEWORKER, Role.CENTRE_STAFF)),
    "follow_up": (_("退出回访到期"), (Role.GRASSROOTS_STAFF, Role.CASEWORKER)),
}


def queues_for(*, user) -> list[tuple[str, str]]:
    return [(name, label) for name, (label, roles) in QUEUES.items() if user_has_role(user, *roles)]


def review_queue(*, user, queue: str) -> QuerySet[Household]:
    """The cases waiting in one queue, scoped to the unions where the user holds the queue's role."""
    label, roles = QUEUES[queue]
    today = timezone.localdate()
    cases = scope_queryset(Household.objects.all(), user, roles=roles).select_related("union", "second_review_org")
    if queue == "first":
        return cases.filter(status__in=[Status.SUBMITTED, Status.FIRST_REVIEW]).exclude(
            submitted_by=user).order_by("submitted_at", "id")  # fmt: skip
    if queue == "returned":
        return cases.filter(status=Status.RETURNED).order_by("-updated_at")
    if queue == "assign":
        return cases.filter(status=Status.SECOND_REVIEW, second_review_org__isnull=True).order_by("updated_at")
    if queue == "second":
        orgs = RoleAssignment.objects.filter(user=user, role=Role.THIRD_PARTY_REVIEWER).values("organisation_id")
        return cases.filter(status=Status.SECOND_REVIEW, second_review_org_id__in=orgs).order_by(
            "second_review_due", "id")  # fmt: skip
    if queue == "notice":
        return cases.filter(status=Status.PUBLIC_NOTICE).order_by("notice_end", "id")
    if queue == "to_file":
        return cases.filter(status=Status.PUBLIC_NOTICE, notice_end__lt=today).order_by("notice_end", "id")
    if queue == "yearly":
        return cases.filter(status=Status.FILED, next_review_due__lte=today + timedelta(days=30)).order_by(
            "next_review_due", "id")  # fmt: skip
    if queue == "follow_up":
        visits = Count("visits", filter=Q(visits__step="follow_up", visits__visited_on__gte=F("exited_at")))
        return (
            cases.filter(status=Status.EXITED)
            .annotate(follow_ups=visits)
            .filter(
                Q(exited_at__lte=add_months(today, -3), follow_ups=0)
                | Q(exited_at__lte=add_months(today, -12), follow_ups__lt=2)
            )
            .order_by("exited_at", "id")
        )
    raise Http404


def due_date_of(household: Household, queue: str):
    if queue == "second":
        return household.second_review_due
    if queue in ("notice", "to_file"):
        return household.notice_end
    if queue == "yearly":
        return household.next_review_due
    return None


def notice_list(*, user) -> QuerySet[Household]:
    """公示: cases now in public notice, for the notice page (masked there)."""
    return (
        household_queryset(user=user)
        .filter(status=Status.PUBLIC_NOTICE)
        .select_related("union")
        .order_by("notice_end", "union__path", "id")
    )


def review_actions_for(*, user, household: Household) -> list[str]:
    """The actions this user could take on this case now (the service still decides)."""
    from .review.services import ACTION_ROLES, FIRST_REVIEW_ACTIONS, THIRD_PARTY_ACTIONS, TRANSITIONS

    unions_by_role: dict[str, bool] = {}
    orgs = None
    actions = []
    for action, (sources, _target) in TRANSITIONS.items():
        if household.status not in sources or action.endswith("_visit"):
            continue
        roles = ACTION_ROLES[action]
        key = ",".join(roles)
        if key not in unions_by_role:
            unions_by_role[key] = _union_in_scope(user, roles, household)
        if not unions_by_role[key]:
            continue
        if action in FIRST_REVIEW_ACTIONS and household.submitted_by_id == user.pk:
            continue
        if action in THIRD_PARTY_ACTIONS:
            if orgs is None:
                orgs = set(RoleAssignment.objects.filter(user=user, role=Role.THIRD_PARTY_REVIEWER)
                           .values_list("organisation_id", flat=True))  # fmt: skip
            if household.second_review_org_id not in orgs or user.pk == household.first_reviewer_id:
                continue
        actions.append(action)
    return actions


def _union_in_scope(user, roles, household: Household) -> bool:
    """Whether the household's union is in the user's scope for ``roles``: what
    ``scope_unions(user, roles).filter(pk=household.union_id).exists()`` answers, from the
    user's cached role assignments and the union the detail page has already loaded — no query."""
    path = household.union.path
    return any(path.startswith(root.path) for root in root_unions(user, roles))


def visit_steps_for(*, user, household: Household) -> list[str]:
    """The visit steps this user may log now."""
    from .review.services import VISIT_ACTIONS

    return [step for step, action in VISIT_ACTIONS.items() if action in _visit_actions_allowed(user, household)]


def _visit_actions_allowed(user, household: Household) -> set[str]:
    from .review.services import ACTION_ROLES, TRANSITIONS, VISIT_ACTIONS

    allowed = set()
    for action in VISIT_ACTIONS.values():
        sources, _target = TRANSITIONS[action]
        if household.status not in sources:
            continue
        if not _union_in_scope(user, ACTION_ROLES[action], household):
            continue
        if action == "first_visit" and household.submitted_by_id == user.pk:
            continue
        if action == "second_visit":
            orgs = RoleAssignment.objects.filter(user=user, role=Role.THIRD_PARTY_REVIEWER).values_list(
                "organisation_id", flat=True)  # fmt: skip
            if household.second_review_org_id not in set(orgs):
                continue
        allowed.add(action)
    return allowed
