"""Reads of household files, always scoped to the acting user's unions."""

import re

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from hardship.access import FILE_READERS, scope_queryset, scope_unions
from hardship.models import AuditEvent, Union

from .models import Attachment, HomeVisit, Household, Member, Opinion

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
