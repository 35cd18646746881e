"""Every write to a household file: one function per action, each audited."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.access import scope_unions, user_has_role
from hardship.identity import luhn_ok, normalise_card_number, parse_id_number
from hardship.masking import mask_id_number
from hardship.models import Role, Union, User
from hardship.money import money
from hardship.services import AuditRow, audit_record, audit_record_many
from hardship.tasks import enqueue

from ..models import (
    INCOME_SOURCES,
    NOT_LIVE_STATUSES,
    Attachment,
    HardshipStandard,
    Household,
    Member,
    Relation,
    Source,
    Status,
    Tier,
)
from ..selectors import STANDARD_EDITORS, households_governed_by, standard_in_force
from ..tiers import MemberFacts, annotate_tier, compute_tier, tier_update_values

# Who may create and edit files (the reviewers act through the review workflow).
FILE_EDITORS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF, Role.SYSTEM_ADMIN)
# Who may see personal data in clear on the detail page (each view is audited).
UNMASKERS = (Role.GRASSROOTS_STAFF, Role.CASEWORKER, Role.THIRD_PARTY_REVIEWER, Role.CENTRE_STAFF, Role.FUND_APPROVER)
# Files can be edited only before filing or when returned for correction.
EDITABLE_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.FIRST_REVIEW, Status.REOPENED)

HOUSEHOLD_FIELDS = (
    "phone", "employer", "hukou_location", "address", "housing",
    "expense_medical", "expense_disability", "expense_schooling", "expense_housing",
    "sudden_event_cost", "sudden_event_note", "main_cause", "secondary_causes", "single_parent",
    "bank_name", "bank_branch", "bank_card",
)  # fmt: skip
MEMBER_FIELDS = ("relation", "name", "id_number", "health", "disability", "work_status", "school_level",
                 "medical_insurance", *INCOME_SOURCES)  # fmt: skip

ALLOWED_ATTACHMENT_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class StaleEdit(Exception):
    """Somebody else saved the file after this form was opened (at ``expected_version``).

    ``summary`` says who and when; the household form keeps what the user typed and
    lists the changes since their version (``selectors.household_changes_since``).
    """

    def __init__(self, household: Household, expected_version: int):
        self.household, self.expected_version = household, expected_version
        who = household.updated_by.display_name if household.updated_by else _("他人")
        when = timezone.localtime(household.updated_at).strftime("%H:%M:%S")
        self.summary = _("该档案已被 %(who)s 于 %(when)s 修改，您的修改没有保存。") % {"who": who, "when": when}
        super().__init__(f"{self.summary}{_('请重新打开档案，在最新内容上修改。')}")


class DuplicatePerson(ValidationError):
    """The person (``id_number``) is on another live file: the form marks that member's 身份证号."""

    def __init__(self, message, *, code: str, id_number: str):
        super().__init__(message, code=code)
        self.id_number = id_number


@dataclass
class MemberInput:
    """One member row as the form or the import gives it; ``id`` for an existing member."""

    relation: str
    name: str
    id_number: str
    work_status: str
    health: str = "healthy"
    disability: str = "none"
    school_level: str = ""
    medical_insurance: str = "resident"
    # Income of the last 12 months by source (元/年).
    income_wages: Decimal = Decimal("0")
    income_business: Decimal = Decimal("0")
    income_property: Decimal = Decimal("0")
    income_transfer: Decimal = Decimal("0")
    income_pension: Decimal = Decimal("0")
    income_union_aid: Decimal = Decimal("0")
    id: int | None = None


def _require_editor(actor: User, union: Union) -> None:
    if not user_has_role(actor, *FILE_EDITORS):
        raise PermissionDenied(_("您的角色不能编辑家庭档案。"))
    if not scope_unions(actor, FILE_EDITORS).filter(pk=union.pk).exists():
        raise PermissionDenied(_("该工会不在您的辖区内。"))


# The household's yearly income (its members' sum, plus what is imputed) must fit a money column.
MAX_HOUSEHOLD_INCOME = Decimal("999999999.99")


def _validate_members(members: list[MemberInput]) -> None:
    errors = []
    if not members:
        raise ValidationError(_("至少需要填写户主本人一名家庭成员。"))
    if sum((getattr(m, source) or 0 for m in members for source in INCOME_SOURCES), Decimal("0")) > (
        MAX_HOUSEHOLD_INCOME
    ):
        errors.append(_("家庭成员的年收入合计过大，请核对各成员的收入金额。"))
    heads = [m for m in members if m.relation == Relation.SELF]
    if len(heads) != 1:
        errors.append(_("家庭成员中必须有且只有一位“本人（户主）”。"))
    seen: set[str] = set()
    for index, member in enumerate(members, start=1):
        try:
            parsed = parse_id_number(member.id_number)
        except ValidationError as exc:
            errors.append(
                _("第 %(i)d 位成员 %(name)s：%(msg)s") % {"i": index, "name": member.name, "msg": exc.messages[0]}
            )
            continue
        if parsed.number in seen:
            errors.append(_("第 %(i)d 位成员的身份证号与前面的成员重复。") % {"i": index})
        seen.add(parsed.number)
    if errors:
        raise ValidationError(errors)


def _validate_causes(main_cause: str, secondary: list[str]) -> list[str]:
    secondary = [c for c in dict.fromkeys(secondary or []) if c and c != main_cause]
    if len(secondary) > 3:
        raise ValidationError(_("次要致困原因最多选择三项。"))
    return secondary


def _duplicate_person_error(
    id_numbers: list[str], exclude_household: int | None, actor: User | None
) -> DuplicatePerson | None:
    """One live file per person. The refusal names the union to contact: the file's own union when it is
    in the actor's scope; otherwise only the district-level union above it — nothing about that household."""
    clash = (
        Member.objects.filter(id_number__in=id_numbers, is_live=True)
        .exclude(household_id=exclude_household)
        .select_related("household__union")
        .first()
    )
    if clash is None:
        return None
    union = clash.household.union
    if actor is not None and scope_unions(actor).filter(pk=union.pk).exists():
        message = _(
            "身份证号 %(id)s 的成员已在「%(union)s」的一份在档家庭档案中，同一人只能有一份在档档案。请联系该工会核实。"
        ) % {"id": mask_id_number(clash.id_number), "union": union.name}
    else:
        message = _(
            "身份证号 %(id)s 的人员已在您工作范围以外的一份在档家庭档案中，同一人只能有一份在档档案。"
            "请联系「%(union)s」核实。"
        ) % {"id": mask_id_number(clash.id_number), "union": _district_level_union(union).name}
    return DuplicatePerson(message, code="duplicate_person", id_number=clash.id_number)


def _district_level_union(union: Union) -> Union:
    """The 区/县总工会 above ``union`` (or the union itself, or the top of its tree, when there is none)."""
    ancestors = {u.pk: u for u in Union.objects.filter(pk__in=union.ancestor_ids)}
    chain = [ancestors[pk] for pk in union.ancestor_ids if pk in ancestors]
    districts = [u for u in chain if u.level == Union.Level.DISTRICT]
    return districts[-1] if districts else chain[0]


def household_recompute(*, household: Household, on: date | None = None, members: list[Member] | None = None):
    """Recompute size, income, per-capita income and tier from the standard in force.

    ``members`` (the file's current members by default) lets a change request compute the tier
    the file would have, with the same rule, on members not saved yet.
    """
    on = on or timezone.localdate()
    if members is None:
        members = list(household.members.filter(removed=False))
    standard = standard_in_force(union=household.union, on=on)
    household.member_count = max(len(members), 1)
    if standard is None:
        household.tier, household.standard = "none", None
        return household
    result = compute_tier(
        recorded_income=sum((m.annual_income for m in members), Decimal("0")),
        rigid_expenses=household.rigid_expenses,
        sudden_event_cost=household.sudden_event_cost,
        members=[MemberFacts(m.birth_date, m.work_status, m.health, m.disability) for m in members],
        standard=standard,
        on=on,
    )
    household.imputed_members = result.imputed_members
    household.annual_income = result.annual_income
    household.per_capita_income = result.per_capita_income
    household.tier = result.tier
    household.standard = standard
    return household


def _apply_household_fields(household: Household, data: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    unknown = set(data) - set(HOUSEHOLD_FIELDS)
    if unknown:
        # Income is each member's (MemberInput.income_*), never the household's: a caller that still
        # passes household income would otherwise be silently ignored.
        raise TypeError(f"not household fields: {sorted(unknown)}")
    changes = {}
    data = dict(data)
    if "bank_card" in data:
        data["bank_card"] = normalise_card_number(data["bank_card"] or "")
    if "main_cause" in data or "secondary_causes" in data:
        data["secondary_causes"] = _validate_causes(
            data.get("main_cause", household.main_cause), data.get("secondary_causes", household.secondary_causes)
        )
    for field in HOUSEHOLD_FIELDS:
        if field not in data:
            continue
        old, new = getattr(household, field), data[field]
        if old != new:
            changes[field] = (old, new)
            setattr(household, field, new)
    household.bank_card_luhn_ok = luhn_ok(household.bank_card) if household.bank_card else True
    return changes


def _save_members(household: Household, members: list[MemberInput]) -> dict[str, tuple[Any, Any]]:
    """Create, update and retire member rows; return the changes for the history."""
    changes: dict[str, tuple[Any, Any]] = {}
    existing = {m.pk: m for m in household.members.filter(removed=False)}
    kept: set[int] = set()
    for position, item in enumerate(members):
        parsed = parse_id_number(item.id_number)
        values = {f: getattr(item, f) for f in MEMBER_FIELDS}
        values["id_number"] = parsed.number
        member = existing.get(item.id) if item.id else None
        if member is None:
            member = Member(household=household, sex=parsed.sex, birth_date=parsed.birth_date, position=position)
            for field, value in values.items():
                setattr(member, field, value)
            member.save()
            changes[f"members.{item.name}.id_number"] = (None, parsed.number)
            changes[f"members.{item.name}.added"] = (None, item.name)
            continue
        kept.add(member.pk)
        updated = ["position"]
        member.position = position
        for field, value in values.items():
            old = getattr(member, field)
            if old != value:
                changes[f"members.{member.name}.{field}"] = (old, value)
                setattr(member, field, value)
                updated.append(field)
        member.sex, member.birth_date = parsed.sex, parsed.birth_date
        member.save(update_fields=[*updated, "sex", "birth_date"])
    for pk, member in existing.items():
        if pk not in kept:
            member.removed, member.is_live = True, False
            member.save(update_fields=["removed", "is_live"])
            changes[f"members.{member.name}.removed"] = (member.name, None)
    return changes


def _sync_head(household: Household) -> None:
    head = household.members.filter(removed=False, relation=Relation.SELF).first()
    if head is not None:
        household.head_name, household.head_id_number = head.name, head.id_number


def household_create(
    *, actor: User, union: Union, data: dict[str, Any], members: list[MemberInput], request=None
) -> Household:
    """Open a new file (草稿) for a household at ``union``, with its members, and compute its tier."""
    _require_editor(actor, union)
    return _household_open(actor=actor, union=union, data=data, members=members, request=request)


def household_create_online(
    *, union: Union, data: dict[str, Any], members: list[MemberInput], request=None
) -> Household:
    """A worker's 网上申请 opens a draft at the grassroots union they chose (their employer's).

    No staff member entered it (``created_by`` stays empty, ``source`` 网上申请): the worker is its
    entrant and submitter, which the 初审 duty reads (cases.review.workflow.not_the_entrant). The
    family channel checks the worker is signed in and has no live file; it submits the draft next.
    """
    if union.level != Union.Level.GRASSROOTS:
        raise ValidationError(_("请选择您单位的基层工会。"))
    return _household_open(actor=None, union=union, data=data, members=members, request=request,
                           source=Source.ONLINE)  # fmt: skip


def _household_open(*, actor, union, data, members, request, source=Source.OFFICE) -> Household:
    _validate_members(members)
    id_numbers = [parse_id_number(m.id_number).number for m in members]
    clash = _duplicate_person_error(id_numbers, exclude_household=None, actor=actor)
    if clash:
        raise clash
    try:
        with transaction.atomic():
            head = next(m for m in members if m.relation == Relation.SELF)
            household = Household(
                union=union,
                head_name=head.name,
                head_id_number=parse_id_number(head.id_number).number,
                main_cause=data.get("main_cause", ""),
                created_by=actor,
                updated_by=actor,
                source=source,
            )
            changes = _apply_household_fields(household, data)
            household.save()
            _save_members(household, members)
            household_recompute(household=household)
            household.save()
            audit_record(
                actor=actor,
                verb="household.create",
                target=household,
                changes={**changes, "tier": (None, household.tier)},
                request=request,
            )
    except IntegrityError as exc:
        # Two staff entered the same person at the same moment: the constraint decided.
        clash = _duplicate_person_error(id_numbers, exclude_household=None, actor=actor)
        if clash:
            raise clash from exc
        raise
    return household


def household_correct_online(
    *, household_id: int, expected_version: int, data: dict[str, Any], members: list[MemberInput], request=None
) -> Household:
    """The worker corrects their own 网上申请 while it is a draft or returned for correction (退回补正).

    The family channel has checked the worker owns the file; the worker then resubmits it
    (cases.review.services.household_submit_online).
    """
    return _household_save(actor=None, household_id=household_id, expected_version=expected_version, data=data,
                           members=members, request=request, online=True)  # fmt: skip


def household_update(
    *,
    actor: User,
    household_id: int,
    expected_version: int,
    data: dict[str, Any],
    members: list[MemberInput],
    request=None,
) -> Household:
    """Save an edit of a file. Refused (StaleEdit) when someone saved it since the form was opened."""
    return _household_save(actor=actor, household_id=household_id, expected_version=expected_version, data=data,
                           members=members, request=request)  # fmt: skip


def _household_save(*, actor, household_id, expected_version, data, members, request, online=False) -> Household:
    _validate_members(members)
    id_numbers = [parse_id_number(m.id_number).number for m in members]
    try:
        with transaction.atomic():
            household = (
                Household.objects.select_for_update(of=("self",))
                .select_related("union", "updated_by")
                .get(pk=household_id)
            )
            if online:
                if household.source != Source.ONLINE or household.status not in (Status.DRAFT, Status.RETURNED):
                    raise ValidationError(_("申请已提交，工会审核期间不能修改；如被退回补正，可再修改。"))
            else:
                _require_editor(actor, household.union)
            if household.version != expected_version:
                raise StaleEdit(household, expected_version)
            if household.status not in EDITABLE_STATUSES:
                raise ValidationError(
                    _("档案当前状态为“%(s)s”，不能直接修改。") % {"s": household.get_status_display()}
                )
            clash = _duplicate_person_error(id_numbers, exclude_household=household.pk, actor=actor)
            if clash:
                raise clash
            old_tier = household.tier
            changes = _apply_household_fields(household, data)
            changes.update(_save_members(household, members))
            _sync_head(household)
            household_recompute(household=household)
            if household.tier != old_tier:
                changes["tier"] = (old_tier, household.tier)
            household.version += 1
            household.updated_by = actor
            household.save()
            changes["version"] = (expected_version, household.version)  # what a stale form missed: since its version
            audit_record(actor=actor, verb="household.update", target=household, changes=changes, request=request)
    except IntegrityError as exc:
        clash = _duplicate_person_error(id_numbers, exclude_household=household_id, actor=actor)
        if clash:
            raise clash from exc
        raise
    return household


def household_contact_update(
    *, actor: User, household_id: int, expected_version: int, phone: str, address: str, request=None
) -> Household:
    """Change the phone and address of a file in any state but 不予受理 — directly, with the audit event.

    They do not move the tier, so unlike the rest of a filed file (a change request, approved by the
    centre) they need no approval; the history still shows who changed them, from what to what.
    """
    with transaction.atomic():
        household = (
            Household.objects.select_for_update(of=("self",)).select_related("union", "updated_by").get(pk=household_id)
        )
        _require_editor(actor, household.union)
        if household.status in NOT_LIVE_STATUSES:
            raise ValidationError(_("档案当前状态为“%(s)s”，不能修改。") % {"s": household.get_status_display()})
        if household.version != expected_version:
            raise StaleEdit(household, expected_version)
        address = (address or "").strip()
        if not address:
            raise ValidationError(_("请填写家庭住址。"))
        changes = _apply_household_fields(household, {"phone": phone, "address": address})
        if not changes:
            return household
        household.version += 1
        household.updated_by = actor
        household.save(update_fields=["phone", "address", "version", "updated_by", "updated_at"])
        changes["version"] = (expected_version, household.version)
        audit_record(actor=actor, verb="household.contact", target=household, changes=changes, request=request)
    return household


def household_admin_correct(*, actor: User, household_id: int, data: dict[str, Any], request=None) -> Household:
    """A superuser's correction in the Django admin: written like any other change — the tier recomputed,
    the version moved on, the history told what changed (the admin's back door is not a blind spot)."""
    if not actor.is_superuser:
        raise PermissionDenied(_("只有系统管理员可以在后台更正档案。"))
    with transaction.atomic():
        household = Household.objects.select_for_update(of=("self",)).select_related("union").get(pk=household_id)
        old_tier = household.tier
        changes = {}
        for field, value in data.items():
            old = getattr(household, field)
            if old != value:
                changes[field] = (old, value)
                setattr(household, field, value)
        if not changes:
            return household
        household_recompute(household=household)
        if household.tier != old_tier:
            changes["tier"] = (old_tier, household.tier)
        household.version += 1
        household.updated_by = actor
        household.save()
        household_set_live(household=household)
        audit_record(actor=actor, verb="household.admin_correct", target=household, changes=changes, request=request)
    return household


def household_set_live(*, household: Household) -> None:
    """Keep members' is_live in step with the file's status (called by status services)."""
    live = household.status not in NOT_LIVE_STATUSES
    household.members.filter(removed=False).exclude(is_live=live).update(is_live=live)


def attachment_add(*, actor: User, household: Household, kind: str, upload, request=None) -> Attachment:
    """Attach a proof (PDF, PNG or JPEG up to 10 MB), stored through Django's storage API."""
    _require_editor(actor, household.union)
    return _attachment_store(actor=actor, household=household, kind=kind, upload=upload, request=request)


def attachment_add_online(*, household: Household, kind: str, upload, request=None) -> Attachment:
    """A worker's photo of a proof or of the signed authorisation, on their own 网上申请 (no staff uploader)."""
    if household.source != Source.ONLINE or household.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("申请已提交，工会审核期间不能再上传材料。"))
    return _attachment_store(actor=None, household=household, kind=kind, upload=upload, request=request)


def _attachment_store(*, actor, household, kind, upload, request) -> Attachment:
    if kind not in Attachment.Kind.values:
        raise ValidationError(_("请选择材料类型。"))
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            _("文件过大（%(mb).1f MB），单个文件不能超过 10 MB。") % {"mb": upload.size / 1024 / 1024}
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的，请重新选择。"))
    head = upload.read(16)
    upload.seek(0)
    detected = next((v for magic, v in ALLOWED_ATTACHMENT_TYPES.items() if head.startswith(magic)), None)
    if detected is None:
        raise ValidationError(_("只能上传 PDF、JPG 或 PNG 文件；所选文件不是这几种格式。"))
    content_type, extension = detected
    with transaction.atomic():
        attachment = Attachment(
            household=household,
            kind=kind,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        attachment.file.save(f"{timezone.now():%Y%m%d%H%M%S}-{kind}{extension}", upload, save=False)
        attachment.save()
        audit_record(
            actor=actor,
            verb="household.attachment_add",
            target=household,
            changes={"attachment": (None, f"{attachment.get_kind_display()} {attachment.original_name}")},
            request=request,
        )
    return attachment


def household_unmask(*, actor: User, household: Household, request=None) -> None:
    """Record that ``actor`` viewed the file's personal data in clear (个人信息保护法)."""
    if not user_has_role(actor, *UNMASKERS):
        raise PermissionDenied(_("您的角色不能查看明文个人信息。"))
    audit_record(actor=actor, verb="household.unmask", target=household, request=request)


def standard_create(*, actor: User, union: Union, data: dict[str, Any], request=None) -> HardshipStandard:
    """Put a new standard in force from its effective date. Past records are never edited."""
    if not user_has_role(actor, *STANDARD_EDITORS):
        raise PermissionDenied(_("只有帮扶中心工作人员可以调整认定标准。"))
    if not scope_unions(actor, STANDARD_EDITORS).filter(pk=union.pk).exists():
        raise PermissionDenied(_("该工会不在您的辖区内。"))
    taken = _("该工会在 %(d)s 已有一条标准，请选择其他生效日期。") % {"d": data["effective_from"]}
    if HardshipStandard.objects.filter(union=union, effective_from=data["effective_from"]).exists():
        raise ValidationError(taken)
    with transaction.atomic():
        try:
            with transaction.atomic():
                standard = HardshipStandard.objects.create(union=union, created_by=actor, **data)
        except IntegrityError as exc:  # standard_one_per_day: the same day saved by someone else a moment ago
            raise ValidationError(taken) from exc
        audit_record(
            actor=actor,
            verb="standard.create",
            target=standard,
            union=union,
            changes={k: (None, v) for k, v in data.items()},
            request=request,
        )
        if standard.effective_from <= timezone.localdate():
            # In force already: re-tier the governed households once the standard is committed.
            transaction.on_commit(lambda: _enqueue_apply(standard, actor))
    return standard


def _enqueue_apply(standard: HardshipStandard, actor: User) -> None:
    """With the broker (Redis) down the standard is saved but nobody is re-tiered yet:
    ``standard.queued`` tells the page to say so."""
    # Here, not at the top, for a cycle: cases.tasks imports cases.services (tasks call services).
    from ..tasks import apply_standard

    standard.queued = enqueue(apply_standard, standard.pk, actor.pk)


def standard_apply(*, actor: User | None, standard: HardshipStandard, request=None) -> int:
    """Recompute every governed household's tier under ``standard`` if it is in force today.

    One UPDATE in SQL, and one history entry per household it re-assesses (written in bulk, in
    the same transaction), naming the standard it was assessed by before and the new one, and the
    tier and per-capita income where they change; the standard's own audit event sums it up.
    Returns the number of households whose tier changed.
    """
    if standard.effective_from > timezone.localdate():
        return 0
    governed = households_governed_by(union=standard.union)
    with transaction.atomic():
        reassessed = (
            annotate_tier(governed, standard)
            .filter(~Q(standard_id=standard.pk) | Q(standard_id__isnull=True) | ~Q(new_tier=F("tier")))
            .order_by("pk")
            .values_list("pk", "head_name", "union_id", "union__name", "standard_id", "tier", "new_tier",
                         "per_capita_income", "new_per_capita")
        )  # fmt: skip
        transitions: dict[tuple[str, str], int] = {}
        named = {s.pk: str(s) for s in HardshipStandard.objects.filter(union__in=scope_unions_of(standard.union))}

        def rows():
            for pk, head, union_id, union_name, old_standard, old, new, old_pc, new_pc in reassessed.iterator(2000):
                changes = {"standard": (named.get(old_standard, ""), named.get(standard.pk, str(standard)))}
                if old != new:
                    changes["tier"] = (old, new)
                    transitions[(old, new)] = transitions.get((old, new), 0) + 1
                if new_pc is not None and money(new_pc) != old_pc:
                    changes["per_capita_income"] = (str(old_pc), str(money(new_pc)))
                yield AuditRow("cases.household", str(pk), f"{head}户（{union_name}）", union_id, changes)

        count = audit_record_many(actor=actor, verb="household.retier", rows=rows(), request=request)
        governed.update(**tier_update_values(standard))
        changed = sum(transitions.values())
        words = "；".join(f"{Tier(a).label}→{Tier(b).label} {n} 户" for (a, b), n in sorted(transitions.items()))
        audit_record(
            actor=actor,
            verb="standard.apply",
            target=standard,
            union=standard.union,
            changes={"households": (None, count), "changed": (None, changed), "tier_transitions": (None, words)},
            request=request,
        )
    return changed


def scope_unions_of(union: Union):
    """The union and those above it: whose standards a household below it may have been assessed by."""
    return Union.objects.filter(pk__in=union.ancestor_ids) | Union.objects.filter(path__startswith=union.path)
