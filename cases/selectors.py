"""Reads of household files, always scoped to the acting user's unions."""

import re
from collections.abc import Iterable
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    DecimalField,
    F,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject
from django.http import Http404
from django.utils import timezone

from hardship.access import FILE_READERS, assignments_key, role_assignments, scope_queryset, scope_unions
from hardship.models import AuditEvent, Role, Union, User
from hardship.prepared import PreparedQuery

from .models import (
    NOT_LIVE_STATUSES,
    Attachment,
    ChangeRequest,
    ChangeStatus,
    HardshipStandard,
    HomeVisit,
    Household,
    Member,
    MonthlyIncome,
    Opinion,
    Status,
    VisitPhoto,
)
from .tiers import annotate_tier

SORTS = {
    "-id": ("-id",),
    "id": ("id",),
    "per_capita": ("per_capita_income", "-id"),
    "-per_capita": ("-per_capita_income", "-id"),
    "name": ("head_name", "-id"),
}

OPEN_CHANGE_STATUSES = (ChangeStatus.DRAFT, ChangeStatus.SUBMITTED)
_ID_LIKE = re.compile(r"^\d{17}[\dXx]$")
_DIGITS = re.compile(r"^\d{6,}$")


def household_queryset(*, user, roles: Iterable[str] = FILE_READERS) -> QuerySet[Household]:
    """Every household file the user may read: the base of every page, list, count, export and the API.

    A role held at a union reads every file of that union and the unions below it, except a
    third-party reviewer's: a social organisation sees the cases assigned to it while assigned,
    nothing else in the city. "Assigned" is read from the file itself: at 复审 (复审中) with the
    reviewer's organisation, in the unions where they hold the role. Once the 复审 is given (公示,
    退回, 不予受理) or the case goes to another organisation, the file is gone from all their pages
    — their opinion stays in the file, for the unions that own it. A user who holds another role
    too keeps what that role gives.
    """
    union_wide = [role for role in roles if role != Role.THIRD_PARTY_REVIEWER]
    households = scope_queryset(Household.objects.all(), user, roles=union_wide)
    if Role.THIRD_PARTY_REVIEWER not in roles or not role_assignments(user, Role.THIRD_PARTY_REVIEWER):
        return households  # the common case keeps the plain "union_id IN (…)" the indexes are built for
    return households | Household.objects.filter(_assigned_for_review(user))


def _assigned_for_review(user) -> Q:
    """The cases assigned now to the organisation of each reviewer role the user holds, in that role's unions."""
    condition = Q(pk__in=[])
    for assignment in role_assignments(user, Role.THIRD_PARTY_REVIEWER):
        condition |= Q(
            status=Status.SECOND_REVIEW,
            second_review_org_id=assignment.organisation_id,
            union__in=Union.objects.filter(path__startswith=assignment.union.path).values("pk"),
        )
    return condition


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


# The list's 工会 filter: the unions of the user's scope, compiled once per set of assignments.
_LIST_UNIONS = PreparedQuery(
    "household_list_unions", lambda user: scope_unions(user, FILE_READERS).only("id", "name", "depth"), args=[]
)


def household_list_unions(*, user) -> list[Union]:
    """The unions the list can be filtered to (every union of the user's scope)."""
    return _LIST_UNIONS.fetch(user=user, key=assignments_key(user))


def _union_path(user, union_id: int) -> str:
    union = scope_unions(user, FILE_READERS).filter(pk=union_id).only("path").first()
    # An out-of-scope union filters to nothing rather than leaking that it exists.
    return union.path if union else "//none//"


# Hardship standards (认定标准): dated figures per union; a union without its own takes its nearest ancestor's.

# Who sets the standards: the list, the new-standard form with its preview, and the service.
STANDARD_EDITORS = (Role.CENTRE_STAFF, Role.SYSTEM_ADMIN)


def standard_in_force(*, union: Union, on: date) -> HardshipStandard | None:
    """The standard of ``union`` or its nearest ancestor with one, in force on ``on``.

    Not scoped by user: which figures govern a union is public policy, and the callers
    (tiering a file, computing a batch) already hold a union they were allowed to reach.
    """
    candidates = (
        HardshipStandard.objects.filter(union_id__in=union.ancestor_ids, effective_from__lte=on)
        .select_related("union")
        .order_by("-union__depth", "-effective_from")
    )
    return candidates.first()


def standard_list(*, user) -> QuerySet[HardshipStandard]:
    """The standards of the unions where the user may set them."""
    unions = scope_unions(user, STANDARD_EDITORS)
    return HardshipStandard.objects.filter(union__in=unions).select_related("union", "created_by")


def households_governed_by(*, union: Union) -> QuerySet[Household]:
    """Live households whose standard comes from ``union``: its subtree minus subtrees with their own."""
    households = Household.objects.filter(union__path__startswith=union.path).exclude(status__in=NOT_LIVE_STATUSES)
    deeper = (
        HardshipStandard.objects.filter(union__path__startswith=union.path)
        .exclude(union=union)
        .values_list("union__path", flat=True)
        .distinct()
    )
    for path in deeper:
        households = households.exclude(union__path__startswith=path)
    return households


def standard_preview(*, user, union: Union, data: dict[str, Any], sample: int = 50) -> dict:
    """Which households in the user's scope would change tier under the proposed figures.

    Computed in SQL (one grouped query and one sample query), so it is quick at
    any size; nothing is written.
    """
    proposed = HardshipStandard(union=union, **data)
    scoped = household_queryset(user=user).filter(pk__in=households_governed_by(union=union).values("pk"))
    annotated = annotate_tier(scoped, proposed).exclude(new_tier=F("tier"))
    transitions = list(annotated.values("tier", "new_tier").annotate(n=Count("id")).order_by("-n"))
    return {
        "transitions": transitions,
        "changed": sum(t["n"] for t in transitions),
        "sample": list(annotated.select_related("union").order_by("-id")[:sample]),
    }


class _JSONArray(Aggregate):
    """The rows' JSON values gathered into one JSON array (PostgreSQL jsonb_agg, SQLite json_group_array)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_AGG", **extra_context)


def _visitors_of_each_visit() -> Subquery:
    """A visit's visitors as JSON (what ``User.display_name`` reads), in the visit's own row."""
    pairs = HomeVisit.visitors.through.objects.filter(homevisit_id=OuterRef("pk"))
    person = JSONObject(id="user_id", username="user__username", full_name="user__full_name",
                        first_name="user__first_name", last_name="user__last_name")  # fmt: skip
    return _gathered(pairs, person)


# The people a file names (建档人, 最后修改, the review panel's 提交/初审/复审): shown by name only.
FILE_PEOPLE = ("created_by", "updated_by", "submitted_by", "first_reviewer", "second_reviewer")
_PERSON_FIELDS = ("id", "username", "full_name", "first_name", "last_name")  # what User.display_name reads


def _people_of_the_file() -> Subquery:
    """The users the file names (``FILE_PEOPLE``) as one JSON array, in the file's own row.

    Not joins: PostgreSQL plans a query's joins together, and with five more of them (ten tables) the
    plan took ~8 ms of the server's CPU for a 0.2 ms lookup, on every file page. One scalar subquery
    is planned on its own, in microseconds (and is cheaper for the ORM to build than five).
    """
    named = Q(pk__in=[])
    for foreign_key in FILE_PEOPLE:
        named |= Q(pk=OuterRef(f"{foreign_key}_id"))
    return _gathered(User.objects.filter(named), JSONObject(**{name: name for name in _PERSON_FIELDS}))


def _gathered(rows: QuerySet, columns: JSONObject) -> Subquery:
    """``columns`` of each of ``rows`` (a queryset correlated to the outer row with ``OuterRef``) as one JSON
    array, a scalar subquery of the outer row (NULL when there are none). Grouped by a constant: one array of
    all of them (a Value is left out of the GROUP BY)."""
    grouped = rows.order_by().annotate(one=Value(1)).values("one").annotate(rows=_JSONArray(columns))
    return Subquery(grouped.values("rows"), output_field=JSONField())


def _rows_json(rows: QuerySet) -> Subquery:
    """Every column of ``rows`` as one JSON array in the file's own row (``_rows_from_json`` makes them
    instances again): a list of a few small rows costs the page a query otherwise (the budget is 10)."""
    return _gathered(rows, JSONObject(**{f.attname: f.attname for f in rows.model._meta.concrete_fields}))


def _rows_from_json(model, items: list[dict] | None) -> list:
    """The instances ``_rows_json`` gathered, as the database would have handed them back (dates, decimals and
    datetimes typed; SQLite's datetimes are UTC without an offset)."""
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    instances = []
    for item in items or []:
        values = []
        for field in fields:
            value = item.get(field.attname)
            if value is not None:
                value = field.to_python(value)
                if isinstance(field, DecimalField):
                    value = value.quantize(Decimal(1).scaleb(-field.decimal_places))
                elif isinstance(field, DateTimeField) and timezone.is_naive(value):
                    value = timezone.make_aware(value, UTC)
            values.append(value)
        instances.append(model.from_db(None, names, values))
    return instances


def _attach(household: Household, name: str, rows: list) -> None:
    """What ``prefetch_related(name)`` leaves on the file — the rows, each pointing back at it, as the
    result of the relation's own queryset — without its machinery, which cost the page more CPU than
    the queries themselves. ``household.<name>.all()`` returns them; a further filter on it is a new
    query of the relation, as after a prefetch."""
    back = Household._meta.get_field(name).field
    for row in rows:
        back.set_cached_value(row, household)
    related = getattr(household, name).get_queryset()
    related._result_cache = rows
    related._prefetch_done = True
    household._prefetched_objects_cache[name] = related


def _file_row(*, pk: int, user) -> QuerySet[Household]:
    return (
        household_queryset(user=user)
        .select_related("union", "standard", "second_review_org")
        .annotate(people_json=_people_of_the_file())
        # Whether 变更申请 are open: counted in the main query, listed only when there are some.
        .annotate(open_change_count=_open_change_count())
        # Small lists in the row itself (the budget): the proofs, and the last 12 months' incomes of a filed file.
        .annotate(attachments_json=_rows_json(Attachment.objects.filter(household_id=OuterRef("pk"))))
        .annotate(recent_incomes_json=_rows_json(MonthlyIncome.objects.filter(pk__in=_recent_income_ids())))
        .filter(pk=pk)
    )


RECENT_INCOME_MONTHS = 12


def _recent_income_ids() -> QuerySet:
    newest = MonthlyIncome.objects.filter(household_id=OuterRef(OuterRef("pk"))).order_by("-month")
    return newest.values("pk")[:RECENT_INCOME_MONTHS]


def _file_visits(*, pk: int) -> QuerySet[HomeVisit]:
    photos = VisitPhoto.objects.filter(visit_id=OuterRef("pk")).order_by().values("visit_id")
    return (
        HomeVisit.objects.filter(household_id=pk)
        .select_related("observer")
        .annotate(
            photo_count=Coalesce(Subquery(photos.annotate(n=Count("pk")).values("n")[:1]), 0),
            visitor_json=_visitors_of_each_visit(),
        )
        # In the order recorded, as the page has always listed them (oldest first, like the opinions).
        .order_by("id")
    )


# The file page's queries, compiled once per shape (hardship.prepared): their SQL cost more than the page's
# template. The file's row is scoped, so its shape is keyed by the user's assignments.
FILE_ROW = PreparedQuery("household_file_row", _file_row, args=["pk"])
FILE_MEMBERS = PreparedQuery(
    "household_file_members",
    lambda pk: Member.objects.filter(household_id=pk, removed=False).order_by("position", "id"),
    args=["pk"],
)
FILE_VISITS = PreparedQuery("household_file_visits", _file_visits, args=["pk"])
FILE_OPINIONS = PreparedQuery(
    "household_file_opinions", lambda pk: Opinion.objects.filter(household_id=pk).select_related("actor"), args=["pk"]
)


def household_get(*, user, pk: int) -> Household:
    """One file with everything the detail page shows, in a fixed number of queries.

    Each visit carries its photo count and its visitors (``visitor_people``, ordered by id) in its own
    row: the file page has a budget of 10 queries. The people the file names (``FILE_PEOPLE``) come
    with their names only (``User.display_name``), in the file's row; a service that needs more of
    them reads them again (services lock and re-read the file anyway).
    """
    rows = FILE_ROW.fetch(pk=pk, user=user, key=assignments_key(user))
    if not rows:
        raise Http404
    household = rows[0]
    people = {fields["id"]: User(**fields) for fields in household.people_json or []}
    for name in FILE_PEOPLE:
        Household._meta.get_field(name).set_cached_value(household, people.get(getattr(household, f"{name}_id")))
    household._prefetched_objects_cache = {}
    _attach(household, "members", FILE_MEMBERS.fetch(pk=pk))
    attachments = _rows_from_json(Attachment, household.attachments_json)
    attachments.sort(key=lambda a: (a.uploaded_at, a.pk))  # the model's ordering, as the relation returns them
    _attach(household, "attachments", attachments)
    # The last 12 months' incomes, newest first (cases.review.selectors.recent_monthly_incomes reads them).
    household.recent_incomes = sorted(
        _rows_from_json(MonthlyIncome, household.recent_incomes_json), key=lambda m: m.month, reverse=True
    )
    visits = FILE_VISITS.fetch(pk=pk)
    _attach(household, "visits", visits)
    _attach(household, "opinions", FILE_OPINIONS.fetch(pk=pk))
    for visit in visits:
        people = [User(**fields) for fields in visit.visitor_json or []]
        visit.visitor_people = sorted(people, key=lambda person: person.id)
    return household


def _open_change_count():
    open_ = ChangeRequest.objects.filter(household=OuterRef("pk"), status__in=OPEN_CHANGE_STATUSES)
    return Coalesce(Subquery(open_.order_by().values("household").annotate(n=Count("id")).values("n")), 0)


def household_readable(*, user, pk: int) -> bool:
    """Whether the user may still open the file: a reviewer's 复审, once given, takes it out of their hands."""
    return household_queryset(user=user).filter(pk=pk).exists()


def household_changes_since(*, household: Household, version: int) -> list[AuditEvent]:
    """The writes to the file after ``version`` (oldest first): what a form opened at that version missed.

    Each write that moves the version records it (``changes["version"] = [old, new]``).
    """
    missed = []
    for event in household_history(household=household)[: max(household.version - version, 0) + 20]:
        moved = (event.changes or {}).get("version")
        if isinstance(moved, list) and len(moved) == 2 and isinstance(moved[1], int) and moved[1] > version:
            missed.append(event)
    return missed[::-1]


def household_history(*, household: Household) -> QuerySet[AuditEvent]:
    return _history_of(target_id=str(household.pk))


def _history_of(*, target_id: str) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(target_type="cases.household", target_id=target_id)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


# The file page's 变更记录: its newest entries, compiled once per limit.
FILE_HISTORY = PreparedQuery(
    "household_file_history", lambda target_id, limit: _history_of(target_id=target_id)[:limit], args=["target_id"]
)


def household_history_head(*, household: Household, limit: int) -> list[AuditEvent]:
    """The newest ``limit`` audit events of the file (the page's history)."""
    return FILE_HISTORY.fetch(target_id=str(household.pk), limit=limit, key=limit)
