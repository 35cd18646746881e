"""Reads of 变更申请: one request with what this user may do, the centre's queue, a file's open requests.

What a user may do is never decided here: the pages read the declaration in cases/changes/workflow.py.
"""

from django.db.models import QuerySet
from django.http import Http404

from hardship.audit_words import describe_changes
from hardship.masking import mask_card, mask_id_number
from hardship.workflow import Action

from ..models import Household
from ..selectors import OPEN_CHANGE_STATUSES, household_queryset
from .models import ChangeKind, ChangeRequest
from .services import TierPreview, change_preview
from .workflow import change_workflow

OPEN = OPEN_CHANGE_STATUSES
MASKED = {"id_number": mask_id_number, "bank_card": mask_card}


def change_queryset(*, user) -> QuerySet[ChangeRequest]:
    """Every change request of a file the user may read (the file's scope is the request's)."""
    return ChangeRequest.objects.filter(household__in=household_queryset(user=user).values("pk")).select_related(
        "household__union", "member", "requested_by", "decided_by"
    )


def change_for_user(*, user, pk: int) -> tuple[ChangeRequest, list[Action]]:
    """One request and the actions this user sees on it now (the healthchecks shape)."""
    change = change_queryset(user=user).filter(pk=pk).first()
    if change is None:
        raise Http404
    return change, change_workflow.available_actions(change, user)


def change_rows(change: ChangeRequest) -> list[tuple[str, str, str]]:
    """(label, before, after) in words; 身份证号 and card masked."""
    target = "cases.household" if change.kind in (ChangeKind.EMPLOYER, ChangeKind.BANK_ACCOUNT,
                                                  ChangeKind.EXPENSES) else "cases.member"  # fmt: skip
    keys = list(dict.fromkeys([*change.before, *change.after]))
    pairs = {
        key: [MASKED.get(key, str)(change.before.get(key) or "") or None,
              MASKED.get(key, str)(change.after.get(key) or "") or None]
        for key in keys
    }  # fmt: skip
    # Nothing to read in a row empty on both sides (a newborn's income sources, no school yet).
    return [(label, old, new) for label, old, new in describe_changes(pairs, target)
            if old not in ("", "0.00") or new not in ("—", "0.00")]  # fmt: skip


def change_tier_preview(change: ChangeRequest) -> TierPreview:
    """What the file would become: computed now while the request is open, as decided once it is closed."""
    if change.status in OPEN:
        return change_preview(change=change)
    return TierPreview(change.tier_before, change.per_capita_before, change.tier_after, change.per_capita_after,
                       0, 0)  # fmt: skip


def change_queue(*, user, which: str = "pending") -> QuerySet[ChangeRequest]:
    """``pending``: waiting for this user's decision (the workflow's approve/reject, as a queryset);
    ``mine``: the requests this user made."""
    changes = change_queryset(user=user)
    if which == "mine":
        return changes.filter(requested_by=user).order_by("-id")
    return changes.filter(change_workflow.q_for(user, "approve", "reject")).order_by("submitted_at", "id")


def open_changes(*, household: Household) -> list[ChangeRequest]:
    """The file's requests still open (draft or waiting), for its page (no query when its count says none)."""
    if getattr(household, "open_change_count", None) == 0:
        return []
    return list(household.change_requests.filter(status__in=OPEN).select_related("requested_by").order_by("-id"))
