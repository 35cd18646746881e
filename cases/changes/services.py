"""变更申请's writes: propose (a draft with its tier preview), submit, withdraw, approve (applied), reject.

Each is one function of the house's shape: lock the rows, ask the workflow on them
(cases/changes/workflow.py), check the input, write with ``update_fields``, and record the audit
event on the household — its history — in the same transaction. The tier a change would give is
computed by ``household_recompute`` (the one tier rule) on the members as they would be.
"""

import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.identity import luhn_ok, normalise_card_number, parse_id_number, validate_card_number
from hardship.models import User
from hardship.money import money
from hardship.services import audit_record
from hardship.workflow import ActionRefused

from ..models import INCOME_SOURCES, Household, Member, Relation, Tier
from ..services.households import (
    MAX_HOUSEHOLD_INCOME,
    _apply_household_fields,
    _duplicate_person_error,
    household_recompute,
)
from .models import REASONS_OF_KIND, ChangeKind, ChangeRequest
from .workflow import change_workflow, proposal_refusal

# What each kind changes: a member's fields, or the household's.
MEMBER_FIELDS = ("relation", "name", "health", "disability", "work_status", "school_level", "medical_insurance",
                 *INCOME_SOURCES)  # fmt: skip
NEW_MEMBER_FIELDS = ("relation", "name", "id_number", *MEMBER_FIELDS[2:])
HOUSEHOLD_FIELDS_OF_KIND = {
    ChangeKind.EMPLOYER: ("employer",),
    ChangeKind.BANK_ACCOUNT: ("bank_name", "bank_branch", "bank_card"),
    ChangeKind.EXPENSES: ("expense_medical", "expense_disability", "expense_schooling", "expense_housing",
                          "sudden_event_cost", "sudden_event_note"),
}  # fmt: skip
MONEY_FIELDS = {*INCOME_SOURCES, "expense_medical", "expense_disability", "expense_schooling", "expense_housing",
                "sudden_event_cost"}  # fmt: skip


@dataclass(frozen=True)
class TierPreview:
    """The file's tier now and the tier it would have with the change (the same rule)."""

    tier_before: str
    per_capita_before: Decimal
    tier_after: str
    per_capita_after: Decimal
    members_before: int
    members_after: int

    @property
    def moves(self) -> bool:
        return self.tier_before != self.tier_after

    @property
    def leaves_hardship(self) -> bool:
        return self.tier_after == Tier.NONE and self.tier_before != Tier.NONE

    @property
    def tier_before_label(self) -> str:
        return Tier(self.tier_before).label

    @property
    def tier_after_label(self) -> str:
        return Tier(self.tier_after).label


def _text(field: str, value) -> str:
    if value is None:
        return "0.00" if field in MONEY_FIELDS else ""
    if field in MONEY_FIELDS:
        try:
            return str(money(value))
        except Exception as exc:  # noqa: BLE001 — money() raises ValidationError on junk
            raise ActionRefused(_("请填写有效的金额。")) from exc
    return str(value).strip()


def _member_values(member: Member, fields) -> dict[str, str]:
    return {f: _text(f, getattr(member, f)) for f in fields}


def _current_members(household: Household) -> list[Member]:
    return list(household.members.filter(removed=False).order_by("position", "id"))


def _validated(kind: str, household: Household, member: Member | None, after: dict[str, Any], actor: User):
    """(member, before, after) as stored: strings, only the fields of the kind; refusals in words."""
    if kind == ChangeKind.MEMBER_ADD:
        values = {f: _text(f, after.get(f)) for f in NEW_MEMBER_FIELDS}
        try:
            values["id_number"] = parse_id_number(values["id_number"]).number
        except Exception as exc:  # noqa: BLE001 — parse_id_number raises ValidationError with the sentence
            raise ActionRefused(getattr(exc, "messages", [str(exc)])[0]) from exc
        if not values["name"]:
            raise ActionRefused(_("请填写新成员的姓名。"))
        if values["relation"] == Relation.SELF:
            raise ActionRefused(_("一户只有一位户主，新成员请选择与户主的关系。"))
        if household.members.filter(removed=False, id_number=values["id_number"]).exists():
            raise ActionRefused(_("此人已是本户成员。"))
        clash = _duplicate_person_error([values["id_number"]], exclude_household=household.pk, actor=actor)
        if clash:
            raise ActionRefused(clash.messages[0])
        return None, {}, values
    if kind in (ChangeKind.MEMBER_REMOVE, ChangeKind.MEMBER_CHANGE):
        if member is None or member.household_id != household.pk or member.removed:
            raise ActionRefused(_("请选择本户的一位成员。"))
        if kind == ChangeKind.MEMBER_REMOVE:
            if member.relation == Relation.SELF:
                raise ActionRefused(_("户主不能通过变更申请移出；户主去世或迁出时，请办理退出帮扶。"))
            return member, _member_values(member, ("name", "relation", *INCOME_SOURCES)), {}
        before = _member_values(member, MEMBER_FIELDS)
        values = {f: _text(f, after.get(f, before[f])) for f in MEMBER_FIELDS}
        if (member.relation == Relation.SELF) != (values["relation"] == Relation.SELF):
            raise ActionRefused(_("户主的“与户主关系”不能通过变更申请修改。"))
        changed = {f for f in MEMBER_FIELDS if values[f] != before[f]}
        if not changed:
            raise ActionRefused(_("填写的内容与档案相同，没有需要变更的地方。"))
        return member, {f: before[f] for f in changed}, {f: values[f] for f in changed}
    fields = HOUSEHOLD_FIELDS_OF_KIND[kind]
    before = {f: _text(f, getattr(household, f)) for f in fields}
    values = {f: _text(f, after.get(f, before[f])) for f in fields}
    if kind == ChangeKind.BANK_ACCOUNT:
        values["bank_card"] = normalise_card_number(values["bank_card"])
        try:
            validate_card_number(values["bank_card"])
        except Exception as exc:  # noqa: BLE001 — a ValidationError with the sentence
            raise ActionRefused(getattr(exc, "messages", [str(exc)])[0]) from exc
        if not values["bank_name"]:
            raise ActionRefused(_("请填写开户银行。"))
    if values == before:
        raise ActionRefused(_("填写的内容与档案相同，没有需要变更的地方。"))
    return None, before, values


def _members_after(change: ChangeRequest, current: list[Member]) -> list[Member]:
    if change.kind == ChangeKind.MEMBER_ADD:
        parsed = parse_id_number(change.after["id_number"])
        new = Member(household_id=change.household_id, sex=parsed.sex, birth_date=parsed.birth_date)
        _set_member(new, change.after)
        return [*current, new]
    if change.kind == ChangeKind.MEMBER_REMOVE:
        return [m for m in current if m.pk != change.member_id]
    if change.kind == ChangeKind.MEMBER_CHANGE:
        updated = []
        for member in current:
            if member.pk == change.member_id:
                member = copy.copy(member)
                _set_member(member, change.after)
            updated.append(member)
        return updated
    return current


def _set_member(member: Member, values: dict[str, str]) -> None:
    for field, value in values.items():
        setattr(member, field, Decimal(value) if field in MONEY_FIELDS else value)


def change_preview(*, change: ChangeRequest) -> TierPreview:
    """The tier the file has and the tier it would have with ``change``, by the one tier rule."""
    household = change.household
    current = _current_members(household)
    after = _members_after(change, current)
    simulated = copy.copy(household)
    for field in HOUSEHOLD_FIELDS_OF_KIND.get(change.kind, ()):
        value = change.after.get(field, getattr(household, field))
        setattr(simulated, field, Decimal(value) if field in MONEY_FIELDS else value)
    household_recompute(household=simulated, members=after)
    return TierPreview(
        tier_before=household.tier, per_capita_before=household.per_capita_income, tier_after=simulated.tier,
        per_capita_after=simulated.per_capita_income, members_before=len(current), members_after=len(after),
    )  # fmt: skip


def _lock_household(household_id: int) -> Household:
    return Household.objects.select_for_update(of=("self",)).select_related("union").get(pk=household_id)


def _label(change: ChangeRequest) -> str:
    return f"#{change.pk} {change.get_kind_display()}（{change.get_reason_display()}）"


def change_propose(
    *, actor: User, household_id: int, kind: str, reason: str, after: dict[str, Any], member_id: int | None = None,
    note: str = "", request=None,
) -> ChangeRequest:  # fmt: skip
    """Draft a change to a filed file, with before/after and the tier it would give; nothing changes yet."""
    if kind not in ChangeKind.values:
        raise ActionRefused(_("请选择变更事项。"))
    if reason not in REASONS_OF_KIND[ChangeKind(kind)]:
        raise ActionRefused(_("请选择变更原因。"))
    with transaction.atomic():
        household = _lock_household(household_id)
        refusal = proposal_refusal(household, actor)
        if refusal:
            raise ActionRefused(refusal)
        member = Member.objects.filter(pk=member_id).first() if member_id else None
        member, before, values = _validated(kind, household, member, after, actor)
        change = ChangeRequest(household=household, kind=kind, reason=reason, member=member, before=before,
                               after=values, note=(note or "").strip()[:500], requested_by=actor)  # fmt: skip
        _check_income_total(change, household)
        preview = change_preview(change=change)
        change.tier_before, change.per_capita_before = preview.tier_before, preview.per_capita_before
        change.tier_after, change.per_capita_after = preview.tier_after, preview.per_capita_after
        change.save()
        audit_record(actor=actor, verb="change.propose", target=household, request=request,
                     changes={"request": (None, _label(change))})  # fmt: skip
    return change


def _check_income_total(change: ChangeRequest, household: Household) -> None:
    members = _members_after(change, _current_members(household))
    if sum((m.annual_income for m in members), Decimal("0")) > MAX_HOUSEHOLD_INCOME:
        raise ActionRefused(_("家庭成员的年收入合计过大，请核对各成员的收入金额。"))


def _begin(actor: User, change_id: int, action: str):
    change = ChangeRequest.objects.select_for_update(of=("self",)).get(pk=change_id)
    change.household = _lock_household(change.household_id)
    if change.member_id:
        change.member = Member.objects.get(pk=change.member_id)
    return change, change_workflow.check(change, actor, action)


def change_submit(*, actor: User, change_id: int, request=None) -> ChangeRequest:
    """Send the draft to the centre; its tier preview is computed again on the file as it is now."""
    with transaction.atomic():
        change, step = _begin(actor, change_id, "submit")
        preview = change_preview(change=change)
        change.tier_before, change.per_capita_before = preview.tier_before, preview.per_capita_before
        change.tier_after, change.per_capita_after = preview.tier_after, preview.per_capita_after
        change.status, change.submitted_at = step.target, timezone.now()
        change.save(update_fields=["status", "submitted_at", "tier_before", "per_capita_before", "tier_after",
                                   "per_capita_after"])  # fmt: skip
        audit_record(actor=actor, verb="change.submit", target=change.household, request=request,
                     changes=_tier_move(change, "request"))  # fmt: skip
    return change


def _tier_move(change: ChangeRequest, key: str) -> dict:
    moves = {key: (None, _label(change))}
    if change.tier_after and change.tier_after != change.tier_before:
        moves["tier"] = (change.tier_before, change.tier_after)
    return moves


def change_withdraw(*, actor: User, change_id: int, request=None) -> ChangeRequest:
    with transaction.atomic():
        change, step = _begin(actor, change_id, "withdraw")
        change.status = step.target
        change.save(update_fields=["status"])
        audit_record(actor=actor, verb="change.withdraw", target=change.household, request=request,
                     changes={"request": (None, _label(change))})  # fmt: skip
    return change


def change_reject(*, actor: User, change_id: int, note: str, request=None) -> ChangeRequest:
    note = (note or "").strip()
    if not note:
        raise ActionRefused(_("请填写不予批准的原因。"), code="text_missing")
    with transaction.atomic():
        change, step = _begin(actor, change_id, "reject")
        change.status, change.decided_by, change.decided_at = step.target, actor, timezone.now()
        change.decision_note = note[:500]
        change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(actor=actor, verb="change.reject", target=change.household, request=request,
                     changes={"request": (None, _label(change)), "reason": (None, change.decision_note)})  # fmt: skip
    return change


def change_approve(*, actor: User, change_id: int, note: str = "", request=None) -> ChangeRequest:
    """Apply the change to the file, recompute its tier, and record it in the file's history — one transaction.

    A household whose new tier is 不符合 stays filed and is listed in the exit queue (待退出), for
    the centre to decide the exit; nothing is dropped here.
    """
    try:
        with transaction.atomic():
            change, step = _begin(actor, change_id, "approve")
            household = change.household
            old_tier, old_per_capita = household.tier, household.per_capita_income
            changes = {"request": (None, _label(change)), **_apply(change, household, actor)}
            household_recompute(household=household)
            if household.tier != old_tier:
                changes["tier"] = (old_tier, household.tier)
            if household.per_capita_income != old_per_capita:
                changes["per_capita_income"] = (str(old_per_capita), str(household.per_capita_income))
            household.version += 1
            household.updated_by = actor
            household.save(update_fields=["member_count", "imputed_members", "annual_income", "per_capita_income",
                                          "tier", "standard", "version", "updated_by", "updated_at",
                                          *HOUSEHOLD_FIELDS_OF_KIND.get(change.kind, ()),
                                          *(("bank_card_luhn_ok",) if change.kind == ChangeKind.BANK_ACCOUNT
                                            else ())])  # fmt: skip
            change.status, change.decided_by, change.decided_at = step.target, actor, timezone.now()
            change.decision_note = (note or "").strip()[:500]
            change.tier_before, change.per_capita_before = old_tier, old_per_capita
            change.tier_after, change.per_capita_after = household.tier, household.per_capita_income
            change.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "tier_before",
                                       "per_capita_before", "tier_after", "per_capita_after"])  # fmt: skip
            audit_record(actor=actor, verb="change.approve", target=household, request=request, changes=changes)
    except IntegrityError as exc:
        # The newborn's number was filed elsewhere meanwhile: the one-live-file constraint decided.
        raise ActionRefused(_("新成员已在另一份在档档案中，这份申请不能生效。")) from exc
    return change


def _apply(change: ChangeRequest, household: Household, actor: User) -> dict:
    """Write the change to the file's rows; return the changes for its history."""
    if change.kind == ChangeKind.MEMBER_ADD:
        values = change.after
        clash = _duplicate_person_error([values["id_number"]], exclude_household=household.pk, actor=actor)
        if clash:
            raise ActionRefused(clash.messages[0])
        parsed = parse_id_number(values["id_number"])
        top = household.members.aggregate(top=Max("position"))["top"]
        member = Member(household=household, sex=parsed.sex, birth_date=parsed.birth_date,
                        position=(top or 0) + 1)  # fmt: skip
        _set_member(member, values)
        member.save()
        name = member.name
        filled = {f: v for f, v in values.items() if f != "name" and v not in ("", "0.00")}
        return {f"members.{name}.added": (None, name), **{f"members.{name}.{f}": (None, v) for f, v in filled.items()}}
    if change.kind == ChangeKind.MEMBER_REMOVE:
        member = Member.objects.select_for_update(of=("self",)).get(pk=change.member_id)
        member.removed, member.is_live = True, False
        member.save(update_fields=["removed", "is_live"])
        return {f"members.{member.name}.removed": (member.name, None)}
    if change.kind == ChangeKind.MEMBER_CHANGE:
        member = Member.objects.select_for_update(of=("self",)).get(pk=change.member_id)
        before = _member_values(member, change.after)
        _set_member(member, change.after)
        member.save(update_fields=list(change.after))
        return {f"members.{member.name}.{f}": (before[f], v) for f, v in change.after.items() if before[f] != v}
    data = {f: Decimal(v) if f in MONEY_FIELDS else v for f, v in change.after.items()}
    return _apply_household_fields(household, data)


def bank_card_warning(change: ChangeRequest) -> bool:
    """A new card that fails the Luhn check: a warning for the approver, not a refusal (some real cards fail)."""
    card = change.after.get("bank_card")
    return bool(change.kind == ChangeKind.BANK_ACCOUNT and card and not luhn_ok(card))
