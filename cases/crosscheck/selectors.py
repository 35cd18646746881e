"""Reads of 信息比对, scoped to the user: requests by their union, flags by their household's scope."""

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from hardship.access import scope_queryset, scope_unions
from hardship.workflow import Action

from ..models import Household
from ..selectors import household_queryset
from .models import CheckRequest, Consent, Flag, FlagStatus, Registry, ResultUpload
from .workflow import DECIDERS, READERS, flag_workflow


def request_queryset(*, user) -> QuerySet[CheckRequest]:
    return scope_queryset(CheckRequest.objects.all(), user, roles=READERS).select_related("union", "created_by")


def request_get(*, user, pk: int) -> CheckRequest:
    check = request_queryset(user=user).filter(pk=pk).first()
    if check is None:
        raise Http404
    return check


def request_unions(*, user):
    return scope_unions(user, DECIDERS).order_by("path")


def request_uploads(*, check: CheckRequest) -> QuerySet[ResultUpload]:
    return check.results.select_related("registry", "uploaded_by").order_by("-id")


def registries_active() -> QuerySet[Registry]:
    return Registry.objects.filter(is_active=True).order_by("id")


def flag_queryset(*, user) -> QuerySet[Flag]:
    households = household_queryset(user=user, roles=READERS).values("pk")
    return Flag.objects.filter(household__in=households).select_related(
        "household__union", "finding", "decided_by", "change_request"
    )


def flag_queue(*, user, status: str = FlagStatus.OPEN, union_id: int | None = None) -> QuerySet[Flag]:
    """The adjudication queue: flags of the user's unions (one union and those below it if asked)."""
    flags = flag_queryset(user=user).filter(status=status if status in FlagStatus.values else FlagStatus.OPEN)
    if union_id:
        union = scope_unions(user, READERS).filter(pk=union_id).first()
        flags = flags.filter(household__union__path__startswith=union.path) if union else flags.none()
    return flags.order_by("household__union__path", "household_id", "id")


def flag_for_user(*, user, pk: int) -> tuple[Flag, list[Action]]:
    flag = flag_queryset(user=user).filter(pk=pk).first()
    if flag is None:
        raise Http404
    return flag, flag_workflow.available_actions(flag, user)


def household_consents(*, household: Household) -> list[dict]:
    """Each current member with their valid consents' registries — and who still must sign."""
    today = timezone.localdate()
    consents = (
        Consent.objects.filter(household=household, valid_until__gte=today, signed_on__lte=today)
        .prefetch_related("registries")
        .select_related("attachment")
        .order_by("member_id", "-valid_until")
    )
    by_member: dict[int, list[Consent]] = {}
    for consent in consents:
        by_member.setdefault(consent.member_id, []).append(consent)
    all_registries = set(registries_active().values_list("pk", flat=True))
    rows = []
    for member in household.members.filter(removed=False).order_by("position", "id"):
        mine = by_member.get(member.pk, [])
        covered = {r.pk for c in mine for r in c.registries.all()}
        rows.append({"member": member, "consents": mine, "missing": not covered,
                     "partial": bool(covered) and not all_registries <= covered})  # fmt: skip
    return rows
