"""The archive's writes: the yearly destruction list, its submission and approval, the anonymisation.

Retention is counted from the day a file was closed: 注销 (``closed_at``) or, for 脱困库, the exit
(``exited_at``; a file that falls back is 返困重启 and no longer exited). A file is listed only once its
``RETENTION_YEARS`` are over, checked again on the locked row when the list is approved, so a file that
was re-opened meanwhile is kept.
"""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.dates import add_months
from hardship.erasure import household_erase
from hardship.models import Union, User
from hardship.services import audit_record
from hardship.workflow import ActionRefused

from ..models import Household, Status
from .models import DestructionEntry, DestructionList, DestructionStatus
from .workflow import destruction_workflow

OPEN_LIST_STATUSES = (DestructionStatus.DRAFTED, DestructionStatus.SUBMITTED)


def retention_cutoff(today: date) -> date:
    """The last closing day whose retention is over on ``today``: kept the full ``RETENTION_YEARS``."""
    return add_months(today, -12 * settings.RETENTION_YEARS) - timedelta(days=1)


def past_retention(cutoff: date) -> Q:
    """Files closed (注销) or exited (脱困/解困) on or before ``cutoff``, not yet destroyed."""
    closed = Q(status=Status.CLOSED, closed_at__lte=cutoff)
    exited = Q(status=Status.EXITED, exited_at__lte=cutoff)
    return (closed | exited) & Q(destroyed_at__isnull=True)


def destruction_list_draft(*, today: date | None = None) -> list[DestructionList]:
    """The yearly task: per city (root union), list the files past retention that no open list holds yet.

    Nothing is destroyed here: the list waits for a centre staff member to submit it and another to approve.
    """
    today = today or timezone.localdate()
    cutoff = retention_cutoff(today)
    on_open_list = DestructionEntry.objects.filter(destruction_list__status__in=OPEN_LIST_STATUSES)
    drafted = []
    for root in Union.objects.filter(parent__isnull=True).order_by("pk"):
        with transaction.atomic():
            due = (
                Household.objects.filter(past_retention(cutoff), union__path__startswith=root.path)
                .exclude(pk__in=on_open_list.values("household_id"))
                .values_list("pk", "file_number", "status", "closed_at", "exited_at")
            )
            rows = list(due)
            if not rows:
                continue
            destruction = DestructionList.objects.create(union=root, cutoff=cutoff)
            DestructionEntry.objects.bulk_create(
                DestructionEntry(destruction_list=destruction, household_id=pk, file_number=number,
                                 status_when_listed=status, closed_on=closed or exited)
                for pk, number, status, closed, exited in rows
            )  # fmt: skip
            audit_record(actor=None, verb="destruction.draft", target=destruction, union=root,
                         changes={"households": (None, len(rows)), "cutoff": (None, cutoff.isoformat())})  # fmt: skip
            drafted.append(destruction)
    return drafted


def _lock(list_id: int) -> DestructionList:
    return DestructionList.objects.select_for_update(of=("self",)).select_related("union").get(pk=list_id)


def destruction_list_submit(*, actor: User, list_id: int, request=None) -> DestructionList:
    """提请销毁: a centre staff member has checked the list and asks for approval."""
    with transaction.atomic():
        destruction = _lock(list_id)
        step = destruction_workflow.check(destruction, actor, "submit")
        destruction.status, destruction.submitted_by, destruction.submitted_at = step.target, actor, timezone.now()
        destruction.save(update_fields=["status", "submitted_by", "submitted_at"])
        audit_record(actor=actor, verb="destruction.submit", target=destruction, union=destruction.union,
                     changes={"status": (DestructionStatus.DRAFTED, step.target)}, request=request)  # fmt: skip
        return destruction


def destruction_list_reject(*, actor: User, list_id: int, note: str, request=None) -> DestructionList:
    """驳回: nothing is destroyed; the files stay and next year's task lists them again if still due."""
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("请填写驳回理由。"), code="text_missing")
    with transaction.atomic():
        destruction = _lock(list_id)
        old = destruction.status
        step = destruction_workflow.check(destruction, actor, "reject")
        destruction.status, destruction.decided_by, destruction.decided_at = step.target, actor, timezone.now()
        destruction.decision_note = note[:200]
        destruction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, verb="destruction.reject", target=destruction, union=destruction.union,
                     changes={"status": (old, step.target), "reason": (None, note[:200])}, request=request)  # fmt: skip
        return destruction


def destruction_list_approve(*, actor: User, list_id: int, note: str = "", request=None) -> DestructionList:
    """批准销毁 (by someone other than the submitter): each file still past retention is anonymised."""
    with transaction.atomic():
        destruction = _lock(list_id)
        step = destruction_workflow.check(destruction, actor, "approve")
        cutoff = retention_cutoff(timezone.localdate())
        now = timezone.now()
        entries = list(destruction.entries.order_by("id"))
        due = set(
            Household.objects.select_for_update()
            .filter(past_retention(cutoff), pk__in=[e.household_id for e in entries])
            .values_list("pk", flat=True)
        )
        for entry in entries:
            if entry.household_id not in due:
                continue  # re-opened or already destroyed meanwhile: kept, and said on the list's page
            household = Household.objects.get(pk=entry.household_id)
            household_anonymise(household=household, when=now)
            audit_record(actor=actor, verb="household.destroy", target=household, union=destruction.union,
                         changes={"destruction_list": (None, destruction.pk)}, request=request)  # fmt: skip
        DestructionEntry.objects.filter(destruction_list=destruction, household_id__in=due).update(destroyed=True)
        destruction.status, destruction.decided_by, destruction.decided_at = step.target, actor, now
        destruction.decision_note = (note or "").strip()[:200]
        destruction.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, verb="destruction.approve", target=destruction, union=destruction.union,
                     changes={"status": (DestructionStatus.SUBMITTED, step.target), "households": (None, len(due))},
                     request=request)  # fmt: skip
        return destruction


def household_anonymise(*, household: Household, when) -> None:
    """销毁 one file: erase its personal data wherever the portal keeps it, and delete its stored files.

    Every app's eraser runs (``hardship.erasure``: the file and its members here, payments and ledgers'
    memos in programs, the audit trail's names …). The file number, union, tier, dates, amounts, the
    ledgers' rows and the audit trail's events stay, so the fund's books and the statistics still add
    up; what identifies a person does not.
    """
    household_erase(household=household)
    household.destroyed_at = when
    household.save(update_fields=["destroyed_at"])
