"""Past payments (历史发放): payments a union made before the portal, brought in as ledger history.

Each row — 户主身份证号, 帮扶项目, 发放期, 金额, 发放日期 — becomes an entitlement of that household,
program and period, marked as imported (its register import, the file's row), with no batch and nothing
left to pay. So the rule "once per household, program and period" (the ``entitlement_once`` constraint,
and the batch's NOT EXISTS) skips those periods, and the yearly 生活救助 cap counts those amounts: the
first batch after the migration never pays a period already paid. Payments of 依申请 programs are not
taken here (a grant is applied for and approved in the portal).

The fund's ledger is not written: those payments were booked in the old system, and the year's balance
the portal keeps starts from the allocation entered in it.
"""

import json
import re
from decimal import Decimal
from itertools import islice

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.excel.columns import ID_NUMBER, MONEY, TEXT, Column
from cases.models import Household, Status
from cases.register.engine import (
    DATE,
    Kind,
    Staged,
    bulk_insert,
    insert_errors,
    mark_groups_in_error,
    register_kind,
    sql_message,
    staged_groups,
)
from cases.register.models import Outcome, RegisterImport, StagedRow
from hardship.models import Role

from .models import Entitlement, Program, ProgramKind

HEAD_ID = Column("户主身份证号", "id_number", "member", ID_NUMBER, required=True, width=21)
PROGRAM = Column("帮扶项目", "program", "member", TEXT, required=True, width=16, note="项目名称或代码")
PERIOD = Column("发放期", "period", "member", TEXT, required=True, width=10,
                note="按季度的项目填“2024-Q3”，每年一次的项目填年份“2024”")  # fmt: skip
AMOUNT = Column("金额（元）", "amount", "member", MONEY, required=True, width=10)
PAID_ON = Column("发放日期", "paid_on", "member", DATE, required=True, width=12)
NOTE = Column("备注", "note", "member", TEXT, width=20, max_length=100)
COLUMNS = (HEAD_ID, PROGRAM, PERIOD, AMOUNT, PAID_ON, NOTE)

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
PER_QUARTER = (ProgramKind.QUARTERLY, ProgramKind.MONTHLY)
PER_YEAR = (ProgramKind.YEARLY, ProgramKind.FESTIVAL, ProgramKind.STUDENT_YEARLY)


def _programs() -> dict[str, Program]:
    found = {}
    for program in Program.objects.select_related("fund_union"):
        found[program.code] = program
        found.setdefault(program.name, program)
    return found


def read_row(reader, number: int, values: tuple) -> Staged:
    if not hasattr(reader, "programs"):
        reader.programs = _programs()
    got = {c.field: reader.value(values, c) for c in COLUMNS}
    program = reader.programs.get(str(got["program"] or "").strip()) if got["program"] else None
    period = str(got["period"] or "").strip().upper()
    error = None
    if got["program"] and program is None:
        error = PROGRAM, _("没有名称或代码为“%(p)s”的帮扶项目。") % {"p": str(got["program"])[:30]}
    elif program is not None and program.kind == ProgramKind.ON_APPLICATION:
        error = PROGRAM, _("依申请发放的项目不在这里导入（在系统中申请、审批）。")
    elif program is not None and program.kind in PER_QUARTER and not _QUARTER.match(period):
        error = PERIOD, _("“%(p)s”按季度发放，发放期应填写如“2024-Q3”。") % {"p": program.name}
    elif program is not None and program.kind in PER_YEAR and not _YEAR.match(period):
        error = PERIOD, _("“%(p)s”每年发放一次，发放期应填写年份，如“2024”。") % {"p": program.name}
    if error:
        reader.errors.append((error[0].header, error[1]))
    if got["amount"] is not None and got["amount"] <= 0:
        reader.errors.append((AMOUNT.header, _("金额必须大于 0。")))
    if got["paid_on"] and got["paid_on"] > timezone.localdate():
        reader.errors.append((PAID_ON.header, _("发放日期不能晚于今天。")))
    data = {"amount": got["amount"], "paid_on": got["paid_on"], "note": got["note"] or "",
            "program": program.pk if program else None}  # fmt: skip
    return Staged(group_key=f"#{number}", data=data, id_number=got["id_number"] or "", is_head=True,
                  union_name=program.name[:100] if program else "", file_number=period[:30],
                  ref_id=program.pk if program else None)  # fmt: skip


def checks(register_import: RegisterImport) -> None:
    pk, path = register_import.pk, register_import.union.path
    with connection.cursor() as cursor:
        # The household: filed (or exited) at the import's union or below it, by its 户主.
        cursor.execute(
            "UPDATE cases_stagedrow SET target_id = (SELECT MIN(h.id) FROM cases_household h "
            "JOIN hardship_union u ON u.id = h.union_id WHERE h.head_id_number = cases_stagedrow.id_number "
            "AND h.status IN (%s, %s) AND u.path LIKE %s) WHERE register_import_id = %s AND id_number <> ''",
            [Status.FILED, Status.EXITED, f"{path}%", pk],
        )
    insert_errors(
        register_import, column=HEAD_ID.header,
        message=("%s", [_("「%(u)s」及其下级工会中没有以此人为户主的已建档家庭，请先导入或建立该户档案。")
                        % {"u": register_import.union.name}]),
        select="FROM cases_stagedrow r WHERE r.register_import_id = %s AND r.id_number <> '' AND r.target_id IS NULL",
        params=[pk],
    )  # fmt: skip
    # The fund pays only households filed at its union or below.
    insert_errors(
        register_import, column=PROGRAM.header,
        message=sql_message(_("该户不在「%(u)s」资金的发放范围内（须为该工会或其下级工会的档案）。"), u="fu.name"),
        select=("FROM cases_stagedrow r JOIN programs_program p ON p.id = r.ref_id "
                "JOIN hardship_union fu ON fu.id = p.fund_union_id JOIN cases_household h ON h.id = r.target_id "
                "JOIN hardship_union hu ON hu.id = h.union_id WHERE r.register_import_id = %s "
                "AND hu.path NOT LIKE fu.path || '%%'"),
        params=[pk],
    )  # fmt: skip
    # Twice in the file: the same household, program and period.
    insert_errors(
        register_import, column=PERIOD.header,
        message=sql_message(_("与第 %(row)s 行是同一户、同一项目、同一发放期，每期只能发放一次。"), row="f.first_row"),
        select=("FROM cases_stagedrow r JOIN (SELECT target_id, ref_id, file_number, MIN(row_number) AS first_row "
                "FROM cases_stagedrow WHERE register_import_id = %s AND target_id IS NOT NULL AND ref_id IS NOT NULL "
                "GROUP BY target_id, ref_id, file_number HAVING COUNT(*) > 1) f ON f.target_id = r.target_id "
                "AND f.ref_id = r.ref_id AND f.file_number = r.file_number "
                "WHERE r.register_import_id = %s AND r.row_number > f.first_row"),
        params=[pk, pk],
    )  # fmt: skip
    mark_matched(register_import)
    mark_groups_in_error(register_import)


def mark_matched(register_import: RegisterImport) -> int:
    """A period already on the household's ledger (paid by a batch, or imported before) is skipped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_stagedrow SET outcome = %s WHERE register_import_id = %s AND outcome = %s AND EXISTS ("
            "SELECT 1 FROM programs_entitlement e WHERE e.household_id = cases_stagedrow.target_id "
            "AND e.program_id = cases_stagedrow.ref_id AND e.period_key = cases_stagedrow.file_number)",
            [Outcome.MATCHED, register_import.pk, Outcome.NEW],
        )
        return cursor.rowcount


CHUNK = 5000


def commit(register_import: RegisterImport) -> dict:
    mark_matched(register_import)
    created = 0
    groups = staged_groups(register_import)
    try:
        while chunk := [g[0] for g in islice(groups, CHUNK)]:
            households = {h.pk: h for h in Household.objects.filter(pk__in={r.target_id for r in chunk})
                          .only("pk", "tier", "union_id")}  # fmt: skip
            rows = []
            for row in chunk:
                data = row.data if isinstance(row.data, dict) else _json(row.data)
                household = households[row.target_id]
                rows.append({
                    "household_id": household.pk, "program_id": data["program"], "period_key": row.file_number,
                    "batch_id": None, "register_import_id": register_import.pk, "amount": Decimal(data["amount"]),
                    "tier": household.tier, "union_id": household.union_id, "awaiting_payment": False,
                    "detail": (_("历史发放（存量导入）：%(file)s 第 %(row)s 行，%(day)s 发放")
                               % {"file": register_import.file_name, "row": row.row_number,
                                  "day": data["paid_on"]})[:200],
                })  # fmt: skip
            created += len(bulk_insert(Entitlement, rows))
    finally:
        groups.close()
    skipped = StagedRow.objects.filter(register_import=register_import, outcome=Outcome.MATCHED).count()
    return {"created": created, "skipped": skipped}


def _json(text: str) -> dict:
    return json.loads(text)


EXAMPLES = ({"户主身份证号": "320206198203154510", "帮扶项目": "生活补贴", "发放期": "2025-Q4", "金额（元）": 350,
             "发放日期": "2025-12-20", "备注": "原系统发放"},)  # fmt: skip

history_kind = register_kind(
    Kind(
        name="payments",
        label=gettext_lazy("历史发放记录"),
        roles=(Role.CENTRE_STAFF,),
        columns=COLUMNS,
        read_row=read_row,
        checks=checks,
        commit=commit,
        examples=EXAMPLES,
    )
)
