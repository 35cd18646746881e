"""Bulk import of household files from the template workbook: check every row, then save all or nothing."""

import sqlite3
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from hardship.access import scope_unions
from hardship.identity import luhn_ok
from hardship.models import Union, User
from hardship.services import audit_record

from ..models import Member, Relation
from ..services import FILE_EDITORS, MemberInput, household_create
from .cells import cell_value, default_value
from .columns import (
    COLUMNS,
    HOUSEHOLD,
    MEMBER,
    Column,
    choice_lookup,
    header_key,
)
from .template import MAX_DATA_ROWS, SHEET_MEMBERS

MAX_FILE_BYTES = 5 * 1024 * 1024
# A 5 MB .xlsx of 20,000 full rows unpacks to well under this; more means a zip bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class RowError:
    """One problem: the Excel row number (None for the whole file), the column header and what is wrong."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    households: int = 0
    members: int = 0
    errors: list[RowError] = field(default_factory=list)
    # Worth a look but not a reason to refuse the file (a bank card failing the Luhn check).
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    """The file as a whole cannot be read: wrong type, damaged, too big, too many rows."""


@dataclass
class _Row:
    number: int
    group: str
    member: MemberInput
    household: dict[str, Any] | None  # the 本人 row's household facts


@dataclass
class _HouseholdRows:
    head_row: int
    data: dict[str, Any]
    members: list[MemberInput]


class _HouseholdRefused(Exception):
    def __init__(self, row: int, error: ValidationError):
        super().__init__(row)
        self.row, self.error = row, error


def households_import(*, actor: User, union: Union, file, request=None) -> ImportResult:
    """Open draft files at ``union`` for every household in an uploaded template workbook — all or none.

    Every row is checked first (身份证号, choices, amounts, one 本人 per household, nobody twice in
    the file or already on a live file); nothing is saved unless every row passes. Then each
    household goes through ``household_create`` (permission, tier, audit) in one transaction.
    """
    if not scope_unions(actor, FILE_EDITORS).filter(pk=union.pk).exists():
        raise PermissionDenied(_("该工会不在您的辖区内，不能导入。"))
    try:
        header, rows = _read_rows(file)
    except ImportRejected as exc:
        return ImportResult(errors=[RowError(None, "", str(exc))])
    checker = _Checker(header)
    households = checker.check(rows)
    if checker.errors:
        return ImportResult(errors=checker.sorted_errors(), warnings=checker.warnings)
    result = _create_all(
        actor=actor, union=union, households=households, file_name=getattr(file, "name", ""), request=request
    )
    result.warnings = checker.warnings
    return result


def _create_all(*, actor, union, households: list[_HouseholdRows], file_name: str, request) -> ImportResult:
    members = sum(len(h.members) for h in households)
    try:
        with transaction.atomic():
            for household in households:
                try:
                    household_create(
                        actor=actor, union=union, data=household.data, members=household.members, request=request
                    )
                except ValidationError as exc:
                    # Checked above, so only a race gets here (someone filed the same person meanwhile).
                    raise _HouseholdRefused(household.head_row, exc) from exc
            audit_record(
                actor=actor,
                verb="household.import",
                union=union,
                changes={"households": (None, len(households)), "members": (None, members), "file": (None, file_name)},
                request=request,
            )
    except _HouseholdRefused as exc:
        return ImportResult(errors=[RowError(exc.row, "", message) for message in exc.error.messages])
    return ImportResult(households=len(households), members=members)


# Reading the file -----------------------------------------------------------------------------


def _read_rows(file) -> tuple[tuple, list[tuple[int, tuple]]]:
    """The header and the non-blank data rows with their Excel row numbers."""
    workbook = _open_workbook(file)
    try:
        sheet = workbook[SHEET_MEMBERS] if SHEET_MEMBERS in workbook.sheetnames else workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record wrong dimensions; read what is there
        values = sheet.iter_rows(values_only=True)
        header = next(values, None)
        if not header or all(_blank(v) for v in header):
            raise ImportRejected(_("第 1 行应为表头（户编号、与户主关系、姓名……），请使用下载的模板填写。"))
        rows = []
        for number, row in enumerate(values, start=2):
            if all(_blank(v) for v in row):
                continue
            if len(rows) == MAX_DATA_ROWS:
                raise ImportRejected(
                    _("文件超过 %(max)s 行数据，请拆分为多个文件分别导入。") % {"max": f"{MAX_DATA_ROWS:,}"}
                )
            rows.append((number, row))
    except ImportRejected:
        raise
    except Exception as exc:  # noqa: BLE001 — a damaged sheet fails in many ways inside openpyxl
        raise ImportRejected(_("文件已损坏，无法读取。请在 Excel 中打开检查后重新保存为 .xlsx 再导入。")) from exc
    finally:
        workbook.close()
    if not rows:
        raise ImportRejected(_("文件中没有数据行：请在表头下方每行填写一名家庭成员。"))
    return header, rows


def _open_workbook(file):
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    too_big = _("文件过大（%(mb).1f MB），每个导入文件不能超过 5 MB，请拆分后分别导入。")
    if size is not None and size > MAX_FILE_BYTES:
        raise ImportRejected(too_big % {"mb": size / 1024 / 1024})
    data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportRejected(too_big % {"mb": len(data) / 1024 / 1024})
    if not data:
        raise ImportRejected(_("文件是空的，请重新选择。"))
    if data.startswith(XLS_MAGIC):
        raise ImportRejected(_("这是旧版 Excel（.xls）文件，请在 Excel 中“另存为”.xlsx 格式后再导入。"))
    if not name.lower().endswith(".xlsx") or not data.startswith(XLSX_MAGIC):
        raise ImportRejected(
            _("只能导入 Excel .xlsx 文件，“%(name)s”不是 .xlsx 格式。请下载模板，填写后直接上传。") % {"name": name}
        )
    damaged = _("文件已损坏，无法读取。请在 Excel 中打开检查后重新保存为 .xlsx 再导入。")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ImportRejected(damaged) from exc
    if "xl/workbook.xml" not in {e.filename for e in entries}:
        raise ImportRejected(_("“%(name)s”不是 Excel 工作簿，请下载模板，填写后直接上传。") % {"name": name})
    if sum(e.file_size for e in entries) > MAX_UNPACKED_BYTES:
        raise ImportRejected(_("文件内容过大，无法导入，请拆分为多个文件。"))
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — openpyxl raises many kinds of error on a damaged file
        raise ImportRejected(damaged) from exc


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# Checking the rows ---------------------------------------------------------------------------


class _Checker:
    """Reads every row into members and households, collecting (row, column, message) errors."""

    def __init__(self, header: tuple):
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []
        # (row, 身份证号) of every row whose number is valid, even when another cell is not.
        self.people: list[tuple[int, str]] = []
        # Households with a row in error: their 本人 check would only repeat that error.
        self.failed_groups: set[str] = set()
        self.position: dict[str, int] = {}
        for index, text in enumerate(header):
            key = header_key(text)
            if key and key not in self.position:
                self.position[key] = index
        with translation.override("zh-hans"):  # the template's labels are the Chinese ones
            self.lookups = {c.field: choice_lookup(c.choices) for c in COLUMNS if c.choices}
        for column in COLUMNS:
            if column.required and column.key not in self.position:
                self.error(1, column.header, _("缺少“%(h)s”列，请使用下载的模板。") % {"h": column.header})

    def error(self, row: int, column: Column | str, message: str) -> None:
        self.errors.append(RowError(row, column.header if isinstance(column, Column) else column, message))

    def sorted_errors(self) -> list[RowError]:
        order = {c.header: i for i, c in enumerate(COLUMNS)}
        return sorted(self.errors, key=lambda e: (e.row or 0, order.get(e.column, -1)))

    def check(self, rows: list[tuple[int, tuple]]) -> list[_HouseholdRows]:
        if self.errors:  # a required column is missing: every row would repeat it
            return []
        parsed = [row for number, values in rows if (row := self._row(number, values)) is not None]
        groups: dict[str, list[_Row]] = {}
        for row in parsed:
            groups.setdefault(row.group, []).append(row)
        households = [
            h
            for group, members in groups.items()
            if group not in self.failed_groups and (h := self._household(group, members))
        ]
        self._check_people()
        return households

    def _cell(self, values: tuple, column: Column):
        index = self.position.get(column.key)
        return values[index] if index is not None and index < len(values) else None

    def _row(self, number: int, values: tuple) -> _Row | None:
        got: dict[str, Any] = {}
        failed = False
        for column in COLUMNS:
            raw = self._cell(values, column)
            if column.level == HOUSEHOLD:
                got[column.field] = raw
                continue
            value, message = self._value(column, raw, required=column.required)
            if message:
                self.error(number, column, message)
                failed = True
            got[column.field] = value
        if got["id_number"]:
            self.people.append((number, got["id_number"]))
        household = None
        if got["relation"] == Relation.SELF:
            household = self._household_values(number, got)
            failed = failed or household is None
        elif got["relation"] is not None:
            filled = next((c for c in COLUMNS if c.level == HOUSEHOLD and not _blank(got[c.field])), None)
            if filled is not None:
                self.error(number, filled, _("户级信息只填写在“本人（户主）”行，其他成员行请留空。"))
                failed = True
        if failed:
            if got["group"]:
                self.failed_groups.add(got["group"])
            return None
        member = MemberInput(**{c.field: got[c.field] for c in COLUMNS if c.level == MEMBER})
        return _Row(number=number, group=got["group"], member=member, household=household)

    def _household_values(self, number: int, got: dict) -> dict[str, Any] | None:
        data, failed = {}, False
        for column in (c for c in COLUMNS if c.level == HOUSEHOLD):
            value, message = self._value(column, got[column.field], required=column.required)
            if message:
                self.error(number, column, message)
                failed = True
            data[column.field] = value
        if failed:
            return None
        secondary = [c for c in data["secondary_causes"] if c != data["main_cause"]]
        if len(secondary) > 3:
            column = next(c for c in COLUMNS if c.field == "secondary_causes")
            self.error(number, column, _("次要致困原因最多三项，当前填写了 %(n)d 项。") % {"n": len(secondary)})
            return None
        data["secondary_causes"] = secondary
        if data["bank_card"] and not data["bank_name"]:
            column = next(c for c in COLUMNS if c.field == "bank_name")
            self.error(number, column, _("填写了银行卡号时，请同时填写开户银行。"))
            return None
        if data["bank_card"] and not luhn_ok(data["bank_card"]):
            column = next(c for c in COLUMNS if c.field == "bank_card")
            self.warnings.append(
                RowError(number, column.header, _("卡号未通过校验位检查，请与户主核对（不影响导入）。"))
            )
        return data

    def _household(self, group: str, rows: list[_Row]) -> _HouseholdRows | None:
        heads = [r for r in rows if r.member.relation == Relation.SELF]
        relation = next(c for c in COLUMNS if c.field == "relation")
        if not heads:
            self.error(
                rows[0].number,
                relation,
                _("户编号 %(g)s 没有“本人（户主）”：每户必须有且只有一位本人。") % {"g": group},
            )
            return None
        for extra in heads[1:]:
            self.error(
                extra.number,
                relation,
                _("户编号 %(g)s 已有第 %(row)d 行为“本人（户主）”，每户只能有一位本人。")
                % {"g": group, "row": heads[0].number},
            )
        if len(heads) > 1:
            return None
        # The head first, as the file shows it.
        members = [heads[0].member, *(r.member for r in rows if r is not heads[0])]
        return _HouseholdRows(head_row=heads[0].number, data=heads[0].household, members=members)

    def _check_people(self) -> None:
        id_column = next(c for c in COLUMNS if c.field == "id_number")
        first_row: dict[str, int] = {}
        for number, id_number in self.people:
            seen = first_row.setdefault(id_number, number)
            if seen != number:
                self.error(
                    number,
                    id_column,
                    _("与第 %(row)d 行是同一人（身份证号相同），同一人只能登记一次。") % {"row": seen},
                )
        for row_number, union_name in _rows_on_live_files(first_row):
            self.error(
                row_number,
                id_column,
                _("此人已在「%(union)s」的一份在档家庭档案中，同一人只能有一份在档档案，请先与该工会核实。")
                % {"union": union_name},
            )

    # One cell -----------------------------------------------------------------------------

    def _value(self, column: Column, raw, *, required: bool) -> tuple[Any, str | None]:
        if _blank(raw):
            if required:
                return None, _("“%(h)s”必须填写。") % {"h": column.header}
            return default_value(column), None
        try:
            return cell_value(column, raw, self.lookups), None
        except ValidationError as exc:
            return None, exc.messages[0]


def _rows_on_live_files(first_row: dict[str, int]) -> Iterable[tuple[int, str]]:
    """(row, union name) for people of the file already on a live file: one query for the file."""
    limit = _parameter_limit()
    numbers = list(first_row)
    size = limit if limit and len(numbers) > limit else max(len(numbers), 1)
    for start in range(0, len(numbers), size):
        chunk = numbers[start : start + size]
        clashes = Member.objects.filter(id_number__in=chunk, is_live=True).values_list(
            "id_number", "household__union__name"
        )
        for id_number, union_name in clashes:
            yield first_row[id_number], union_name


def _parameter_limit() -> int | None:
    if connection.vendor == "sqlite":
        # Django assumes SQLite's old limit of 999; builds since 3.32 allow 32,766 — a whole file.
        connection.ensure_connection()
        return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 10
    return connection.features.max_query_params
