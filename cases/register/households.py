"""The household register (存量档案): files already filed in the old system, with their 职工编号, 建档日期 and tier.

The columns are the 新建档案 template's (one row per member, household facts on the 本人 row) and,
on the 本人 row, 所属工会, 职工编号, 建档日期, 困难类别 as recorded and the last yearly review.
"""

import json
from datetime import date
from decimal import Decimal

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
from hardship.money import money

from ..models import INCOME_SOURCES, Household, Member, Relation, Status, Tier
from ..selectors import standard_in_force
from ..services.households import _district_level_union
from ..tiers import MemberFacts, assess, compute_tier, is_imputed
from .engine import (
    DATE,
    Kind,
    Staged,
    StagedJson,
    blank,
    duplicate_people,
    insert_errors,
    insert_select,
    mark_groups_in_error,
    register_kind,
    sql_message,
    staged_groups,
    write_rows,
    write_table,
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


def row_reader(columns: tuple[Column, ...]):
    """The reading of one row of a household workbook with ``columns``: the register's (with its 状态,
    职工编号, 建档日期 …) or the 新建档案 template's (cases.excel.columns, the same rules without them)."""
    head_only = tuple(c for c in columns if c.level == HOUSEHOLD)
    member_columns = tuple(c for c in columns if c.level == MEMBER)
    group_column = next(c for c in columns if c.level == GROUP)
    register = any(c.field == "filed_at" for c in columns)

    def read_row(reader, number: int, values: tuple) -> Staged:
        group = reader.value(values, group_column)
        member = reader.read(values, member_columns)
        data: dict = {"m": member}
        person = ""
        if member["id_number"]:
            person = member["id_number"]  # checked by the cell's reading: birth date and sex are in it
            data["sex"] = "M" if int(person[16]) % 2 else "F"
            data["birth"] = f"{person[6:10]}-{person[10:12]}-{person[12:14]}"
            # Counted at the minimum wage by the tier (the commit sums these in SQL, like member_count).
            facts = MemberFacts(date(int(person[6:10]), int(person[10:12]), int(person[12:14])),
                                member["work_status"], member["health"], member["disability"])  # fmt: skip
            data["imp"] = 1 if is_imputed(facts, reader.today) else 0
        head = member["relation"] == Relation.SELF
        staged = Staged(group_key=str(group or f"#{number}"), data=data, id_number=person, is_head=head)
        if head:
            household = reader.read(values, head_only)
            if register:
                _register_facts(reader, household)
            if household["bank_card"] and not household["bank_name"]:
                reader.errors.append(("开户银行", _("填写了银行卡号时，请同时填写开户银行。")))
            secondary = [c for c in household["secondary_causes"] or [] if c != household["main_cause"]]
            if len(secondary) > 3:
                too_many = _("次要致困原因最多三项，当前填写了 %(n)d 项。") % {"n": len(secondary)}
                reader.errors.append(("次要致困原因", too_many))
            household["secondary_causes"] = secondary
            household["luhn"] = luhn_ok(household["bank_card"]) if household["bank_card"] else True
            staged.union_name = household.pop("union_name", "") or ""
            staged.union_id = None if staged.union_name else reader.union_id
            staged.file_number = household.get("file_number") or ""
            data["h"] = household
        else:
            length = len(values)
            filled = next((c for c in head_only if (i := reader.index[c.field]) < length and values[i] is not None
                           and c.field != "union_name" and not blank(values[i])), None)  # fmt: skip
            if filled is not None:
                reader.errors.append((filled.header, _("户级信息只填写在“本人（户主）”行，其他成员行请留空。")))
        return staged

    return read_row


def _register_facts(reader, household: dict) -> None:
    state = str(household.pop("state") or "").strip()
    if state not in FILED_WORDS:
        reader.errors.append((STATE.header, _("存量导入只导入“已建档”的档案，此行为“%(s)s”。") % {"s": state[:20]}))
    if household["filed_at"] and household["filed_at"] > reader.today:
        reader.errors.append((FILED_AT.header, _("建档日期不能晚于今天。")))
    if household["filed_at"]:  # the yearly review falls a year after the last one (or the filing)
        household["next_review_due"] = add_months(household["last_review"] or household["filed_at"], 12)


read_row = row_reader(REGISTER_COLUMNS)


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
        # The first row of each group without a head, in one pass over the stage.
        select=("FROM (SELECT group_key, MIN(row_number) AS row_number FROM cases_stagedrow "
                "WHERE register_import_id = %s GROUP BY group_key "
                "HAVING MAX(CASE WHEN is_head THEN 1 ELSE 0 END) = 0) r"),
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
    with connection.cursor() as cursor:  # a blank 所属工会 is the import's union: set as the row was read
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
    groups = staged_groups(register_import, limit=SAMPLE_SIZE)
    for group in groups:
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

_TEMPORARY = ("register_rows", "register_tiers")


def fail_point(step: str) -> None:
    """Where a test stops a commit half-way (as a killed worker would); nothing in production."""


def commit(register_import: RegisterImport) -> dict:
    """Create every new file of the stage as filed, with its members, numbers, dates and tier; one
    history entry on each (file, row, who uploaded, who approved).

    Set-based: the stage's rows are parsed once into a temporary table; SQL sums each household's members
    and ``assess`` (compute_tier's rule) decides its tier once per household; then one INSERT … SELECT each
    writes the households, their members and their history. A failure rolls all of it back, the temporary
    tables too (DDL is transactional on both databases).
    """
    mark_matched(register_import)  # what was filed since the check (the same workbook committed meanwhile)
    json = StagedJson("s.d")
    with connection.cursor() as cursor:
        for table in _TEMPORARY:  # left by an earlier commit in this connection's transaction (a test's)
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            "CREATE TEMPORARY TABLE register_rows AS SELECT row_number, group_key, id_number, is_head, union_id, "  # noqa: S608 — no input in it
            f"file_number, {json.parsed('data')} AS d FROM cases_stagedrow WHERE register_import_id = %s "
            "AND outcome = %s",
            [register_import.pk, Outcome.NEW],
        )
        cursor.execute("CREATE INDEX register_rows_group ON register_rows (group_key)")
        cursor.execute("ANALYZE register_rows")
    _assess_tiers(json)
    created = _insert_households(register_import, json)
    fail_point("households")
    _insert_members(json)
    _insert_history(register_import, json)
    with connection.cursor() as cursor:
        for table in _TEMPORARY:
            cursor.execute(f"DROP TABLE {table}")
    skipped = StagedRow.objects.filter(register_import=register_import, is_head=True, outcome=Outcome.MATCHED).count()
    return {"created": created, "skipped": skipped}


def _insert_households(register_import: RegisterImport, json: StagedJson) -> int:
    uploader, approver = register_import.uploaded_by, register_import.approved_by
    text = {f: json.text("h", f) for f in ("phone", "employer", "hukou_location", "address", "housing", "main_cause",
                                           "bank_name", "bank_branch", "bank_card")}  # fmt: skip
    money = {f: json.number("h", f) for f in ("expense_medical", "expense_disability", "expense_schooling",
                                              "expense_housing")}  # fmt: skip
    return insert_select(
        Household,
        values={
            "union_id": "s.union_id",
            "status": ("%s", [Status.FILED]),
            "file_number": "s.file_number",
            "head_name": json.text("m", "name"),
            "head_id_number": "s.id_number",
            **text,
            **money,
            "secondary_causes": json.json("h", "secondary_causes"),
            "single_parent": json.boolean("h", "single_parent"),
            "bank_card_luhn_ok": json.boolean("h", "luhn"),
            "member_count": "g.members",
            "imputed_members": "g.imputed",
            "filed_at": json.date("h", "filed_at"),
            "next_review_due": json.date("h", "next_review_due"),
            "tier": "t.tier",
            "annual_income": "t.annual_income",
            "per_capita_income": "t.per_capita_income",
            "standard_id": "t.standard_id",
            "created_by_id": ("%s", [uploader.pk]),
            "updated_by_id": ("%s", [approver.pk if approver else None]),
            "submitted_by_id": ("%s", [uploader.pk]),
            "submitted_at": (
                "%s",
                [Household._meta.get_field("submitted_at").get_db_prep_save(register_import.uploaded_at, connection)],
            ),
        },  # fmt: skip
        source=(
            "FROM register_rows s JOIN (SELECT group_key, COUNT(*) AS members, "  # noqa: S608 — no input in it
            f"COALESCE(SUM(CAST({StagedJson('d').number('imp')} AS INTEGER)), 0) AS imputed FROM register_rows "
            "GROUP BY group_key) g ON g.group_key = s.group_key JOIN register_tiers t ON t.group_key = s.group_key "
            "WHERE s.is_head ORDER BY s.row_number"
        ),
        params=[],
    )


def _insert_members(json: StagedJson) -> int:
    return insert_select(
        Member,
        values={
            "household_id": "hh.id",
            "position": "ROW_NUMBER() OVER (PARTITION BY s.group_key ORDER BY s.is_head DESC, s.row_number) - 1",
            "sex": json.text("sex"),
            "birth_date": json.date("birth"),
            "id_number": "s.id_number",
            **{f: json.number("m", f) for f in INCOME_SOURCES},
            **{f: json.text("m", f) for f in MEMBER_VALUES if f not in INCOME_SOURCES and f != "id_number"},
        },  # fmt: skip
        source=(
            "FROM register_rows s JOIN register_rows h ON h.group_key = s.group_key AND h.is_head "
            "JOIN cases_household hh ON hh.file_number = h.file_number AND hh.file_number <> ''"
        ),
        params=[],
    )


def _assess_tiers(json: StagedJson) -> None:
    """Each new file's income, per-capita income and tier by the standard in force today for its union,
    into ``register_tiers``: SQL sums the members of every household, ``assess`` (the rule of
    ``compute_tier``) decides, once per household; the 困难类别 the old register recorded is kept where given.
    """
    today = timezone.localdate()
    income = " + ".join(f"COALESCE({json.number('m', f)}, 0)" for f in INCOME_SOURCES)
    expenses = ("expense_medical", "expense_disability", "expense_schooling", "expense_housing")
    rigid = " + ".join(f"COALESCE({json.number('h', f)}, 0)" for f in expenses)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE register_tiers (group_key varchar(40), tier varchar(20), "
            "annual_income numeric(12, 2), per_capita_income numeric(12, 2), standard_id integer)"
        )
        cursor.execute(
            f"SELECT s.group_key, s.union_id, {json.text('h', 'recorded_tier')}, {rigid}, g.income, g.members, "  # noqa: S608 — no input in it
            f"g.imputed FROM register_rows s JOIN (SELECT group_key, SUM({income.replace('s.d', 'x.d')}) AS income, "
            f"COUNT(*) AS members, SUM(CAST({StagedJson('x.d').number('imp')} AS INTEGER)) AS imputed "
            "FROM register_rows x GROUP BY group_key) g ON g.group_key = s.group_key WHERE s.is_head"
        )
        standards: dict = {}
        lines = []
        while batch := cursor.fetchmany(5000):
            for group_key, union_id, recorded, rigid_sum, income_sum, size, imputed in batch:
                if union_id not in standards:
                    standards[union_id] = standard_in_force(union=Union.objects.get(pk=union_id), on=today)
                standard = standards[union_id]
                if standard is None:
                    lines.append((group_key, recorded or Tier.NONE, "0", "0", None))
                    continue
                result = assess(recorded_income=_decimal(income_sum), rigid_expenses=_decimal(rigid_sum),
                                sudden_event_cost=Decimal("0"), size=size, imputed=imputed or 0,
                                standard=standard)  # fmt: skip
                lines.append((group_key, recorded or result.tier, result.annual_income, result.per_capita_income,
                              standard.pk))  # fmt: skip
    write_table("register_tiers", ("group_key", "tier", "annual_income", "per_capita_income", "standard_id"), lines)
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE register_tiers")


def _decimal(value) -> Decimal:
    """A sum from SQL: exact (numeric) on PostgreSQL, a float on SQLite, rounded to the fen either way."""
    return money(Decimal(str(value or 0)))


def _insert_history(register_import: RegisterImport, json: StagedJson) -> int:
    """One history entry per file, as audit_record_many writes them (nothing personal in it)."""
    uploader, approver = register_import.uploaded_by, register_import.approved_by
    pair = _json_pair()
    changes = _json_object({
        "register_file": pair("%s"), "register_row": pair("s.row_number", number=True),
        "uploaded_by": pair("%s"), "approved_by": pair("%s"), "file_number": pair("hh.file_number"),
        "filed_at": pair(json.text("h", "filed_at")), "tier": pair("hh.tier"),
    })  # fmt: skip
    return insert_select(
        AuditEvent,
        values={
            "actor_id": ("%s", [approver.pk if approver else None]),
            "verb": ("%s", ["household.register_import"]),
            "target_type": ("%s", ["cases.household"]),
            "target_id": "CAST(hh.id AS VARCHAR(20))",
            "target_repr": ("SUBSTR(hh.head_name || %s || u.name || %s, 1, 200)", ["户（", "）"]),
            "union_id": "hh.union_id",
            "changes": (
                changes,
                [register_import.file_name, uploader.display_name, approver.display_name if approver else ""],
            ),
        },  # fmt: skip
        source=(
            "FROM register_rows s JOIN cases_household hh ON hh.file_number = s.file_number AND hh.file_number <> '' "
            "JOIN hardship_union u ON u.id = hh.union_id WHERE s.is_head ORDER BY s.row_number"
        ),
        params=[],
    )


def _json_pair():
    postgres = connection.vendor == "postgresql"

    def pair(expression: str, number: bool = False) -> str:
        if postgres:
            kind = "integer" if number else "text"
            return f"jsonb_build_array(NULL, CAST({expression} AS {kind}))"
        return f"json_array(NULL, {expression})"

    return pair


def _json_object(items: dict[str, str]) -> str:
    function = "jsonb_build_object" if connection.vendor == "postgresql" else "json_object"
    pairs = ", ".join(f"'{key}', {value}" for key, value in items.items())
    return f"{function}({pairs})"


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
