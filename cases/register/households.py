"""The household register (存量档案): files already filed in the old system, with their 职工编号, 建档日期 and tier.

The columns are the 新建档案 template's (one row per member, household facts on the 本人 row) and,
on the 本人 row, 所属工会, 职工编号, 建档日期, 困难类别 as recorded and the last yearly review.
"""

import json
from datetime import date
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.excel.columns import CHOICE, COLUMNS, GROUP, HOUSEHOLD, MEMBER, TEXT, Column
from hardship.access import scope_unions
from hardship.dates import add_months
from hardship.identity import luhn_ok
from hardship.masking import mask_id_number
from hardship.models import AuditEvent, Role, Union

from ..models import INCOME_SOURCES, Household, Member, Relation, Status, Tier
from ..selectors import standard_in_force
from ..services.households import _district_level_union
from ..tiers import MemberFacts, compute_tier
from .engine import (
    DATE,
    Kind,
    Staged,
    blank,
    bulk_insert,
    duplicate_people,
    insert_errors,
    mark_groups_in_error,
    register_kind,
    sql_message,
    staged_groups,
    write_rows,
)
from .models import Outcome, RegisterImport, StagedError, StagedRow

CENTRE_ROLES = (Role.CENTRE_STAFF,)

UNION = Column("所属工会", "union_name", HOUSEHOLD, TEXT, width=20, note="工会名称或编码；留空为导入时选择的工会")
FILE_NUMBER = Column("职工编号", "file_number", HOUSEHOLD, TEXT, required=True, width=14, max_length=30)
FILED_AT = Column("建档日期", "filed_at", HOUSEHOLD, DATE, required=True, width=12, note="如 2021-03-15")
RECORDED_TIER = Column("困难类别（原记录）", "recorded_tier", HOUSEHOLD, CHOICE, Tier, width=12,
                       note="原系统记录的类别；留空按现行标准认定")  # fmt: skip
LAST_REVIEW = Column("上次复核日期", "last_review", HOUSEHOLD, DATE, width=12, note="留空按建档日期起算")
STATE = Column("状态", "state", HOUSEHOLD, TEXT, width=10, note="只导入“已建档”的档案；留空按已建档")

REGISTER_COLUMNS: tuple[Column, ...] = (
    *COLUMNS[:1], UNION, FILE_NUMBER, FILED_AT, RECORDED_TIER, LAST_REVIEW, STATE, *COLUMNS[1:],
)  # fmt: skip
_HEAD_ONLY = tuple(c for c in REGISTER_COLUMNS if c.level == HOUSEHOLD)
_MEMBER = tuple(c for c in REGISTER_COLUMNS if c.level == MEMBER)
_GROUP = next(c for c in REGISTER_COLUMNS if c.level == GROUP)
_RELATION = next(c for c in REGISTER_COLUMNS if c.field == "relation")
_ID = next(c for c in REGISTER_COLUMNS if c.field == "id_number")
FILED_WORDS = ("", "已建档", "filed", "在档")
SAMPLE_SIZE = 20


def read_row(reader, number: int, values: tuple) -> Staged:
    group = reader.value(values, _GROUP)
    member = {c.field: reader.value(values, c) for c in _MEMBER}
    data: dict = {"m": member}
    person = ""
    if member["id_number"]:
        person = member["id_number"]  # checked by the cell's reading: birth date and sex are in it
        data["sex"] = "M" if int(person[16]) % 2 else "F"
        data["birth"] = f"{person[6:10]}-{person[10:12]}-{person[12:14]}"
    head = member["relation"] == Relation.SELF
    staged = Staged(group_key=str(group or f"#{number}"), data=data, id_number=person, is_head=head)
    if head:
        household = {c.field: reader.value(values, c) for c in _HEAD_ONLY}
        state = str(household.pop("state") or "").strip()
        if state not in FILED_WORDS:
            reader.errors.append((STATE.header, _("存量导入只导入“已建档”的档案，此行为“%(s)s”。") % {"s": state[:20]}))
        if household["filed_at"] and household["filed_at"] > timezone.localdate():
            reader.errors.append((FILED_AT.header, _("建档日期不能晚于今天。")))
        if household["bank_card"] and not household["bank_name"]:
            reader.errors.append(("开户银行", _("填写了银行卡号时，请同时填写开户银行。")))
        secondary = [c for c in household["secondary_causes"] or [] if c != household["main_cause"]]
        if len(secondary) > 3:
            too_many = _("次要致困原因最多三项，当前填写了 %(n)d 项。") % {"n": len(secondary)}
            reader.errors.append(("次要致困原因", too_many))
        household["secondary_causes"] = secondary
        staged.union_name = household.pop("union_name") or ""
        staged.file_number = household["file_number"] or ""
        data["h"] = household
    else:
        length = len(values)
        filled = next((c for c in _HEAD_ONLY if (i := reader.index[c.field]) < length and values[i] is not None
                       and c.field != "union_name" and not blank(values[i])), None)  # fmt: skip
        if filled is not None:
            reader.errors.append((filled.header, _("户级信息只填写在“本人（户主）”行，其他成员行请留空。")))
    return staged


# Set-wise checks ---------------------------------------------------------------------------------


def checks(register_import: RegisterImport) -> None:
    duplicate_people(register_import, column=_ID.header)
    _one_head_per_group(register_import)
    _resolve_unions(register_import)
    _file_numbers(register_import)
    mark_matched(register_import)
    _people_on_live_files(register_import)
    mark_groups_in_error(register_import)


def _one_head_per_group(register_import: RegisterImport) -> None:
    pk = register_import.pk
    insert_errors(
        register_import,
        column=_RELATION.header,
        message=sql_message(_("户编号 %(g)s 没有“本人（户主）”：每户必须有且只有一位本人。"), g="r.group_key"),
        select=("FROM cases_stagedrow r WHERE r.register_import_id = %s AND r.row_number = (SELECT MIN(x.row_number) "
                "FROM cases_stagedrow x WHERE x.register_import_id = r.register_import_id "
                "AND x.group_key = r.group_key) "
                "AND NOT EXISTS (SELECT 1 FROM cases_stagedrow x WHERE x.register_import_id = r.register_import_id "
                "AND x.group_key = r.group_key AND x.is_head)"),
        params=[pk],
    )  # fmt: skip
    insert_errors(
        register_import,
        column=_RELATION.header,
        message=sql_message(_("户编号 %(g)s 已有第 %(row)s 行为“本人（户主）”，每户只能有一位本人。"),
                            g="r.group_key", row="f.first_row"),
        select=("FROM cases_stagedrow r JOIN (SELECT group_key, MIN(row_number) AS first_row FROM cases_stagedrow "
                "WHERE register_import_id = %s AND is_head GROUP BY group_key HAVING COUNT(*) > 1) f "
                "ON f.group_key = r.group_key WHERE r.register_import_id = %s AND r.is_head "
                "AND r.row_number > f.first_row"),
        params=[pk, pk],
    )  # fmt: skip


def _resolve_unions(register_import: RegisterImport) -> None:
    """Each file's union, by name or code, among the import's union and those below it (its scope)."""
    pk, union = register_import.pk, register_import.union
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_stagedrow SET union_id = %s WHERE register_import_id = %s AND is_head "
                       "AND union_name = ''", [union.pk, pk])  # fmt: skip
        cursor.execute(
            "UPDATE cases_stagedrow SET union_id = (SELECT MIN(u.id) FROM hardship_union u WHERE "
            "(u.name = cases_stagedrow.union_name OR u.code = cases_stagedrow.union_name) "
            "AND u.path LIKE %s AND u.is_active) "
            "WHERE register_import_id = %s AND is_head AND union_name <> ''",
            [f"{union.path}%", pk],
        )
    insert_errors(
        register_import,
        column=UNION.header,
        message=sql_message(
            _("「%(u)s」不是「%(scope)s」或其下级工会，不在您的辖区内，不能导入。")
            % {"u": "%(u)s", "scope": union.name},
            u="r.union_name",
        ),
        select="FROM cases_stagedrow r WHERE r.register_import_id = %s AND r.is_head AND r.union_id IS NULL",
        params=[pk],
    )  # fmt: skip


def _file_numbers(register_import: RegisterImport) -> None:
    pk = register_import.pk
    insert_errors(
        register_import,
        column=FILE_NUMBER.header,
        message=sql_message(_("职工编号与第 %(row)s 行相同，每份档案的编号不能重复。"), row="f.first_row"),
        select=("FROM cases_stagedrow r JOIN (SELECT file_number, MIN(row_number) AS first_row FROM cases_stagedrow "
                "WHERE register_import_id = %s AND is_head AND file_number <> '' GROUP BY file_number "
                "HAVING COUNT(*) > 1) f ON f.file_number = r.file_number WHERE r.register_import_id = %s "
                "AND r.is_head AND r.row_number > f.first_row"),
        params=[pk, pk],
    )  # fmt: skip
    insert_errors(
        register_import,
        column=FILE_NUMBER.header,
        message=("%s", [_("该职工编号已被另一户的档案使用，请核对。")]),
        select=("FROM cases_stagedrow r JOIN cases_household h ON h.file_number = r.file_number "
                "WHERE r.register_import_id = %s AND r.is_head AND r.file_number <> '' "
                "AND h.head_id_number <> r.id_number"),
        params=[pk],
    )  # fmt: skip


def mark_matched(register_import: RegisterImport) -> int:
    """Households whose 户主 already heads a filed file in the import's unions are that file: skipped, never
    created twice. (A draft or a file elsewhere with the same person is a conflict: the live-file check.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_stagedrow SET outcome = %s WHERE register_import_id = %s AND outcome = %s AND group_key IN ("
            "SELECT r.group_key FROM cases_stagedrow r JOIN cases_household h ON h.head_id_number = r.id_number "
            "JOIN hardship_union u ON u.id = h.union_id "
            "WHERE r.register_import_id = %s AND r.is_head AND h.status IN (%s, %s) AND u.path LIKE %s)",
            [
                Outcome.MATCHED,
                register_import.pk,
                Outcome.NEW,
                register_import.pk,
                Status.FILED,
                Status.EXITED,
                f"{register_import.union.path}%",
            ],
        )
        return cursor.rowcount


def _people_on_live_files(register_import: RegisterImport) -> None:
    """A person already on a live file (any union): the refusal names the union to contact, like a new file's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.row_number, h.union_id FROM cases_stagedrow r JOIN cases_member m ON m.id_number = r.id_number "
            "AND m.is_live JOIN cases_household h ON h.id = m.household_id "
            "WHERE r.register_import_id = %s AND r.id_number <> '' AND r.outcome <> %s",
            [register_import.pk, Outcome.MATCHED],
        )
        clashes = cursor.fetchall()
    if not clashes:
        return
    in_scope = set(scope_unions(register_import.uploaded_by).values_list("pk", flat=True))
    unions = {u.pk: u for u in Union.objects.filter(pk__in={union_id for _row, union_id in clashes})}
    words: dict[int, str] = {}
    for union_id, union in unions.items():
        if union_id in in_scope:
            words[union_id] = _(
                "此人已在「%(union)s」的一份在档家庭档案中，同一人只能有一份在档档案，请先与该工会核实。"
            ) % {"union": union.name}
        else:
            words[union_id] = _(
                "此人已在您工作范围以外的一份在档家庭档案中，同一人只能有一份在档档案。请联系「%(union)s」核实。"
            ) % {"union": _district_level_union(union).name}
    write_rows(StagedError, ("register_import_id", "row_number", "column", "message"),
               [(register_import.pk, row, _ID.header, words[union_id]) for row, union_id in clashes])  # fmt: skip


# The tier sample ---------------------------------------------------------------------------------


def _tier_of(union: Union, group: list, on: date, standards: dict):
    if union.pk not in standards:
        standards[union.pk] = standard_in_force(union=union, on=on)
    standard = standards[union.pk]
    head = group[0].data["h"]
    members = [row.data for row in group]
    if standard is None:
        return None, standard
    recorded = sum((Decimal(str(m["m"][s])) for m in members for s in INCOME_SOURCES), Decimal("0"))
    rigid = sum((Decimal(str(head[f])) for f in ("expense_medical", "expense_disability", "expense_schooling",
                                                 "expense_housing")), Decimal("0"))  # fmt: skip
    result = compute_tier(
        recorded_income=recorded,
        rigid_expenses=rigid,
        sudden_event_cost=Decimal("0"),
        members=[
            MemberFacts(date.fromisoformat(m["birth"]), m["m"]["work_status"], m["m"]["health"], m["m"]["disability"])
            for m in members
        ],  # fmt: skip
        standard=standard,
        on=on,
    )
    return result, standard


def _decoded(group: list[StagedRow]) -> list[StagedRow]:
    for row in group:
        if isinstance(row.data, str):
            row.data = json.loads(row.data)
    return group


def sample(register_import: RegisterImport) -> list[dict]:
    """A few new files: the tier recorded in the old register next to the tier under today's standard."""
    today = timezone.localdate()
    unions = {u.pk: u for u in Union.objects.filter(path__startswith=register_import.union.path)}
    standards: dict = {}
    shown = []
    groups = staged_groups(register_import)
    for group in islice(groups, SAMPLE_SIZE):
        group = _decoded(group)
        head_row = group[0]
        result, _standard = _tier_of(unions[head_row.union_id], group, today, standards)
        recorded = head_row.data["h"]["recorded_tier"] or ""
        computed = result.tier if result else ""
        shown.append({
            "row": head_row.row_number,
            "file_number": head_row.file_number,
            "name": head_row.data["m"]["name"],
            "id_number": mask_id_number(head_row.id_number),
            "recorded": str(Tier(recorded).label) if recorded else "",
            "computed": str(Tier(computed).label) if computed else _("无现行标准"),
            "per_capita": str(result.per_capita_income) if result else "",
            "differs": bool(recorded and computed and recorded != computed),
        })  # fmt: skip
    groups.close()
    return shown


# Commit ----------------------------------------------------------------------------------------

COMMIT_CHUNK = 2000


def fail_point(step: str) -> None:
    """Where a test stops a commit half-way (as a killed worker would); nothing in production."""


def commit(register_import: RegisterImport) -> dict:
    """Create every new file of the stage as filed, with its members, numbers, dates and tier; one
    history entry on each (file, row, who uploaded, who approved)."""
    mark_matched(register_import)  # what was filed since the check (the same workbook committed meanwhile)
    today = timezone.localdate()
    unions = {u.pk: u for u in Union.objects.filter(path__startswith=register_import.union.path)}
    standards: dict = {}
    created = 0
    groups = staged_groups(register_import)
    try:
        while chunk := [_decoded(g) for g in islice(groups, COMMIT_CHUNK)]:
            created += _create_files(register_import, chunk, unions, standards, today)
            fail_point("households")
    finally:
        groups.close()
    skipped = StagedRow.objects.filter(register_import=register_import, is_head=True, outcome=Outcome.MATCHED).count()
    return {"created": created, "skipped": skipped}


def _create_files(register_import: RegisterImport, groups: list, unions: dict, standards: dict, today) -> int:
    uploader, approver = register_import.uploaded_by, register_import.approved_by
    households = []
    for group in groups:
        head_row = group[0]
        head, member = head_row.data["h"], head_row.data["m"]
        union = unions[head_row.union_id]
        result, standard = _tier_of(union, group, today, standards)
        filed_at = date.fromisoformat(str(head["filed_at"]))
        last_review = date.fromisoformat(str(head["last_review"])) if head["last_review"] else filed_at
        household = {
            "union_id": union.pk, "status": Status.FILED, "file_number": head["file_number"],
            "head_name": member["name"], "head_id_number": head_row.id_number,
            **{f: head[f] for f in ("phone", "employer", "hukou_location", "address", "housing", "expense_medical",
                                    "expense_disability", "expense_schooling", "expense_housing", "main_cause",
                                    "secondary_causes", "single_parent", "bank_name", "bank_branch", "bank_card")},
            "bank_card_luhn_ok": luhn_ok(head["bank_card"]) if head["bank_card"] else True,
            "member_count": len(group), "filed_at": filed_at, "next_review_due": add_months(last_review, 12),
            "created_by_id": uploader.pk, "updated_by_id": approver.pk if approver else None,
            "submitted_by_id": uploader.pk, "submitted_at": register_import.uploaded_at,
            "tier": head["recorded_tier"] or (result.tier if result else Tier.NONE),
        }  # fmt: skip
        if result is not None:
            household.update(imputed_members=result.imputed_members, annual_income=result.annual_income,
                             per_capita_income=result.per_capita_income, standard_id=standard.pk)  # fmt: skip
        households.append(household)
    ids = bulk_insert(Household, households)
    members = []
    for pk, group in zip(ids, groups, strict=True):
        for position, row in enumerate(group):
            values = row.data["m"]
            members.append({
                "household_id": pk, "position": position, "sex": row.data["sex"], "birth_date": row.data["birth"],
                **{f: values[f] for f in MEMBER_VALUES},
            })  # fmt: skip
    bulk_insert(Member, members)
    # One history entry per file, written like audit_record_many's (same columns, nothing personal in it),
    # but COPYed: a city's register is 100,000 files.
    actor_id = approver.pk if approver else None
    bulk_insert(AuditEvent, [
        {"actor_id": actor_id, "verb": "household.register_import", "target_type": "cases.household",
         "target_id": str(pk), "target_repr": f"{h['head_name']}户（{unions[h['union_id']].name}）"[:200],
         "union_id": h["union_id"], "changes": {
             "register_file": [None, register_import.file_name], "register_row": [None, g[0].row_number],
             "uploaded_by": [None, uploader.display_name],
             "approved_by": [None, approver.display_name if approver else ""],
             "file_number": [None, h["file_number"]], "filed_at": [None, h["filed_at"].isoformat()],
             "tier": [None, h["tier"]]}}
        for pk, h, g in zip(ids, households, groups, strict=True)
    ])  # fmt: skip
    return len(households)


MEMBER_VALUES = ("relation", "name", "id_number", "health", "disability", "work_status", "school_level",
                 "medical_insurance", *INCOME_SOURCES)  # fmt: skip


household_kind = register_kind(
    Kind(
        name="households",
        label=gettext_lazy("存量家庭档案"),
        roles=CENTRE_ROLES,
        columns=REGISTER_COLUMNS,
        read_row=read_row,
        checks=checks,
        commit=commit,
        sample=sample,
    )
)
