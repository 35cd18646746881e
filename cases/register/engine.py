"""The staging engine: read a register file as a stream, COPY its rows into a staging table, check them
row by row (Python, only where it must be) and set-wise (SQL), then commit a kind's rows in one transaction.

Memory stays flat in the file's size: the workbook is read in openpyxl's read-only mode (a CSV with the
csv module) and the staged rows go to the database in chunks — COPY on PostgreSQL, bulk inserts on
SQLite (the laptop path).
"""

import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, transaction
from django.db.models import Count, JSONField
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.excel.cells import cell_value, default_value
from cases.excel.columns import Column, choice_lookup, header_key

from .models import ImportStage, Outcome, RegisterImport, StagedError, StagedRow
from .xlsx import iter_rows

CHUNK_ROWS = 5000
MAX_FILE_BYTES = 200 * 1024 * 1024
DATE = "date"
SENTINEL = "\x00"


@dataclass
class Staged:
    """What a kind reads from one data row: the columns the SQL checks need, and the row's values."""

    group_key: str
    data: dict[str, Any]
    id_number: str = ""
    is_head: bool = False
    union_name: str = ""
    file_number: str = ""
    ref_id: int | None = None
    union_id: int | None = None  # known when the row is read (a blank 所属工会 is the import's own union)


@dataclass(frozen=True)
class Kind:
    """A kind of register: its columns, its per-row reading, its set-wise checks, its commit."""

    name: str
    label: Any
    roles: tuple[str, ...]
    columns: tuple[Column, ...]
    read_row: Callable[["RowReader", int, tuple], Staged]
    checks: Callable[[RegisterImport], None]
    commit: Callable[[RegisterImport], dict]
    sample: Callable[[RegisterImport], list] = lambda register_import: []
    examples: tuple[dict, ...] = ()  # rows of the downloadable template
    # A second person approves the stage (the register kinds); else its uploader commits it (新建档案's drafts,
    # which are reviewed file by file anyway). ``listed``: offered on the register page.
    four_eyes: bool = True
    listed: bool = True


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> Kind:
    return KINDS[name]


def content_hash(file) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# Reading ---------------------------------------------------------------------------------------


class RowReader:
    """Turns one row's cells into values by column header, collecting (column, message) errors."""

    def __init__(self, header: tuple, columns: tuple[Column, ...]):
        self.position: dict[str, int] = {}
        for index, text in enumerate(header):
            key = header_key(text)
            if key and key not in self.position:
                self.position[key] = index
        with translation.override("zh-hans"):  # the template's labels are the Chinese ones
            self.lookups = {c.field: choice_lookup(c.choices) for c in columns if c.choices}
        self.missing = [c for c in columns if c.required and c.key not in self.position]
        self.errors: list[tuple[str, str]] = []
        # Per column (by its field): where it is in the row, and what a blank cell means.
        self.index = {c.field: self.position.get(c.key, 10**6) for c in columns}
        self.defaults = {c.field: _blank_value(c) for c in columns}
        self.today = timezone.localdate()

    def read(self, values: tuple, columns: tuple[Column, ...]) -> dict:
        """``{field: value}`` of ``columns`` in this row, as ``value`` reads each (one loop, for speed)."""
        length = len(values)
        got = {}
        for column in columns:
            index = self.index[column.field]
            raw = values[index] if index < length else None
            if raw is None or (raw.__class__ is str and not raw.strip()):
                if column.required:
                    got[column.field] = self.value(values, column)
                    continue
                default = self.defaults[column.field]
                got[column.field] = list(default) if default.__class__ is list else default
            elif column.kind == DATE:
                got[column.field] = self.value(values, column)
            else:
                try:
                    got[column.field] = cell_value(column, raw, self.lookups)
                except Exception:  # noqa: BLE001 — value() names what is wrong, in Chinese
                    got[column.field] = self.value(values, column)
        return got

    def raw(self, values: tuple, column: Column):
        index = self.index[column.field]
        return values[index] if index < len(values) else None

    def value(self, values: tuple, column: Column, *, required: bool | None = None):
        index = self.index[column.field]
        raw = values[index] if index < len(values) else None
        if raw is None or (raw.__class__ is str and not raw.strip()):
            if column.required if required is None else required:
                self.errors.append((column.header, _("“%(h)s”必须填写。") % {"h": column.header}))
                return None
            default = self.defaults[column.field]
            return list(default) if isinstance(default, list) else default
        try:
            if column.kind == DATE:
                return _as_date(column, raw)
            return cell_value(column, raw, self.lookups)
        except Exception as exc:  # noqa: BLE001 — a ValidationError with the Chinese sentence, or a bad cell
            messages = getattr(exc, "messages", None) or [_("“%(h)s”无法识别。") % {"h": column.header}]
            self.errors.append((column.header, str(messages[0])))
            return None


def _blank_value(column: Column):
    """What a blank optional cell means: the model's default, or nothing for a column of the register's own."""
    if column.kind == DATE:
        return None
    try:
        return default_value(column)
    except FieldDoesNotExist:
        return ""


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


EXCEL_EPOCH = date(1899, 12, 30)


def _as_date(column: Column, raw) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool) and 1 <= raw < 2958466:
        return EXCEL_EPOCH + timedelta(days=int(raw))  # an Excel date cell: days since 1899-12-30
    text = str(raw).strip().replace("/", "-").replace(".", "-").replace("年", "-").replace("月", "-").rstrip("日")
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in text.split("-")))
    except ValueError:
        pass
    raise ValidationError(_("“%(h)s”应为日期，如 2021-03-15。") % {"h": column.header})


def _rows(register_import: RegisterImport) -> Iterator[tuple]:
    """Every row of the file (the header first), streamed."""
    name = register_import.file_name.lower()
    with register_import.file.open("rb") as handle:
        if name.endswith(".csv"):
            text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
            yield from (tuple(row) for row in csv.reader(text))
            return
        yield from iter_rows(handle)


# Writing the stage -----------------------------------------------------------------------------

ROW_COLUMNS = ("register_import_id", "row_number", "group_key", "id_number", "is_head", "union_name",
               "file_number", "ref_id", "data", "outcome", "union_id")  # fmt: skip
ERROR_COLUMNS = ("register_import_id", "row_number", "column", "message")


class _StageWriter:
    def __init__(self, register_import: RegisterImport):
        self.pk = register_import.pk
        self.rows: list[tuple] = []
        self.errors: list[tuple] = []

    def add(self, number: int, staged: Staged, errors: list[tuple[str, str]]) -> None:
        data = json.dumps(staged.data, ensure_ascii=False, default=str, separators=(",", ":"))
        outcome = Outcome.ERROR if errors else Outcome.NEW
        self.rows.append((self.pk, number, staged.group_key[:40], staged.id_number, staged.is_head,
                          staged.union_name[:100], staged.file_number[:30], staged.ref_id, data, outcome,
                          staged.union_id))  # fmt: skip
        self.errors += [(self.pk, number, column[:60], message[:300]) for column, message in errors]

    def flush(self) -> None:
        write_rows(StagedRow, ROW_COLUMNS, self.rows)
        write_rows(StagedError, ERROR_COLUMNS, self.errors)
        self.rows, self.errors = [], []


def write_rows(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Append rows to a staging table: COPY on PostgreSQL, a bulk insert elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        write_table(model._meta.db_table, columns, rows)
        return
    model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000)


def write_table(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Append rows to a table (a temporary one of a commit): COPY on PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO("\n".join("\t".join(map(_copy_text, row)) for row in rows) + "\n")
            cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
            return
        marks = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 — names from code
                           [[str(v) if isinstance(v, Decimal) else v for v in row] for row in rows])  # fmt: skip


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    return str(value).translate(_COPY_ESCAPES)


def bulk_insert(model, rows: list[dict]) -> list[int]:
    """Insert rows (attname → value) of ``model`` and return their new ids, in order.

    On PostgreSQL the ids are taken from the table's sequence first and the rows are COPYed, with every
    column given (a field left out gets its default, ``auto_now`` fields the current time); elsewhere
    they are bulk-created.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=2000)
        return [o.pk for o in objects]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [r[0] for r in cursor.fetchall()]
        encoders = [(f.attname, _encoder(f, now)) for f in fields]
        lines = []
        for pk, row in zip(ids, rows, strict=True):
            lines.append("\t".join([str(pk), *(encode(row, name) for name, encode in encoders)]))
        names = ", ".join(f'"{f.column}"' for f in [model._meta.pk, *fields])
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO("\n".join(lines) + "\n"))
    return ids


def _encoder(field, now):
    missing = object()
    # A text field without a default gets "", as Django saves it.
    default = now if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False) else field.get_default()
    if isinstance(field, JSONField):

        def encode(row, name):
            value = row.get(name, missing)
            value = default if value is missing else value
            return _copy_text(json.dumps(value, ensure_ascii=False, default=str))

        return encode

    def encode(row, name):
        value = row.get(name, missing)
        if value is missing:
            value = default
        if value is None:
            return "\\N"
        if isinstance(value, datetime):
            return value.isoformat()
        return _copy_text(value)

    return encode


class StagedJson:
    """SQL that reads a staged row's values (its ``data``, as ``alias``) on this database: PostgreSQL's
    ``#>>`` over jsonb, SQLite's ``json_extract``. ``path`` is the keys, as in ``("h", "phone")``."""

    def __init__(self, alias: str = "s.d"):
        self.alias = alias
        self.postgres = connection.vendor == "postgresql"

    def parsed(self, column: str) -> str:
        """The expression that turns the stored text into what the readers below take (once per row)."""
        return f"CAST({column} AS jsonb)" if self.postgres else column

    def _path(self, path: tuple[str, ...]) -> str:
        return "{" + ",".join(path) + "}" if self.postgres else "$." + ".".join(path)

    def text(self, *path: str) -> str:
        if self.postgres:
            return f"COALESCE({self.alias} #>> '{self._path(path)}', '')"
        return f"COALESCE(json_extract({self.alias}, '{self._path(path)}'), '')"

    def _cast(self, path: tuple[str, ...], kind: str) -> str:
        if self.postgres:
            return f"CAST({self.alias} #>> '{self._path(path)}' AS {kind})"
        return f"json_extract({self.alias}, '{self._path(path)}')"

    def number(self, *path: str) -> str:
        return self._cast(path, "numeric")

    def boolean(self, *path: str) -> str:
        return self._cast(path, "boolean")

    def date(self, *path: str) -> str:
        return self._cast(path, "date")

    def json(self, *path: str) -> str:
        if self.postgres:
            return f"({self.alias} #> '{self._path(path)}')"
        return f"json_extract({self.alias}, '{self._path(path)}')"


def insert_select(model, *, values: dict[str, str | tuple[str, list]], source: str, params: list) -> int:
    """``INSERT INTO`` model's table ``SELECT`` … ``source``: one statement for a whole stage.

    ``values`` maps a field's attname to its SQL expression (or ``(expression, its parameters)``); every
    other column gets the field's default as a parameter, the current time for ``auto_now`` fields. The
    primary key is the database's. ``params`` are the source's. Returns the rows inserted.
    """
    unknown = set(values) - {f.attname for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__} has no fields {sorted(unknown)}")
    now = timezone.now()
    columns, expressions, arguments = [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f'"{f.column}"')
        given = values.get(f.attname)
        if given is not None:
            expression, given_params = given if isinstance(given, tuple) else (given, [])
            expressions.append(expression)
            arguments += given_params
            continue
        timestamp = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        expressions.append("%s")
        arguments.append(f.get_db_prep_save(now if timestamp else f.get_default(), connection))
    sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 — names from the model
           f"SELECT {', '.join(expressions)} {source}")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [*arguments, *params])
        return cursor.rowcount


def register_stage(*, import_id: int) -> RegisterImport:
    """Check every row of an uploaded register file and stage it; the import ends 待复核 or 检查失败."""
    register_import = RegisterImport.objects.select_related("union", "uploaded_by").get(pk=import_id)
    if register_import.status != ImportStage.CHECKING:
        return register_import
    with check_lock(import_id) as mine:
        if not mine:  # another worker is checking it (a 重新检查 queued while the first was only slow)
            return register_import
        return _stage(register_import)


@contextmanager
def check_lock(import_id: int):
    """One check of an import at a time, held for the whole check (a session lock: the check commits as it
    goes); a worker that dies lets go of it with its connection. No-op on SQLite (one writer anyway)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [CHECK_LOCK, import_id])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [CHECK_LOCK, import_id])


CHECK_LOCK = 0x5245_4743


def _stage(register_import: RegisterImport) -> RegisterImport:
    import_id = register_import.pk
    RegisterImport.objects.filter(pk=import_id).update(progress_at=timezone.now())
    kind = kind_of(register_import.kind)
    StagedRow.objects.filter(register_import=register_import).delete()  # a check run again starts clean
    StagedError.objects.filter(register_import=register_import).delete()
    try:
        read = _stage_rows(register_import, kind)
        if read:
            kind.checks(register_import)
        counts = stage_counts(register_import)
        sample = kind.sample(register_import) if read and not counts["errors"] else []
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        RegisterImport.objects.filter(pk=import_id).update(status=ImportStage.FAILED, error=error)
        raise
    RegisterImport.objects.filter(pk=import_id, status=ImportStage.CHECKING).update(
        status=ImportStage.CHECKED, counts=counts, tier_sample=sample
    )
    register_import.refresh_from_db()
    return register_import


def _stage_rows(register_import: RegisterImport, kind: Kind) -> int:
    writer = _StageWriter(register_import)
    rows = _rows(register_import)
    try:
        header = next(rows, None)
    except Exception:  # noqa: BLE001 — a damaged file fails in many ways inside openpyxl
        header = None
    if not header or all(blank(v) for v in header):
        writer.errors.append((register_import.pk, 0, "", _("第 1 行应为表头，请使用下载的模板填写。")))
        writer.flush()
        return 0
    reader = RowReader(header, kind.columns)
    reader.union_id = register_import.union_id
    if reader.missing:
        for column in reader.missing:
            writer.errors.append(
                (register_import.pk, 1, column.header, _("缺少“%(h)s”列，请使用下载的模板。") % {"h": column.header})
            )
        writer.flush()
        return 0
    read = 0
    for number, values in enumerate(rows, start=2):
        if all(blank(v) for v in values):
            continue
        reader.errors = []
        staged = kind.read_row(reader, number, values)
        writer.add(number, staged, reader.errors)
        read += 1
        if len(writer.rows) >= CHUNK_ROWS:
            writer.flush()
            RegisterImport.objects.filter(pk=register_import.pk).update(rows_read=read, progress_at=timezone.now())
    writer.flush()
    RegisterImport.objects.filter(pk=register_import.pk).update(rows_read=read, progress_at=timezone.now())
    if not read:
        write_rows(StagedError, ERROR_COLUMNS, [(register_import.pk, 0, "", _("文件中没有数据行。"))])
    return read


def stage_counts(register_import: RegisterImport) -> dict:
    rows = StagedRow.objects.filter(register_import=register_import)
    by_outcome = dict(rows.filter(is_head=True).values_list("outcome").annotate(n=Count("id")).order_by())
    errors = StagedError.objects.filter(register_import=register_import)
    return {
        "rows": rows.count(),
        "households": sum(by_outcome.values()),
        "new": by_outcome.get(Outcome.NEW, 0),
        "matched": by_outcome.get(Outcome.MATCHED, 0),
        "with_errors": by_outcome.get(Outcome.ERROR, 0),
        "errors": errors.count(),
        "error_rows": errors.values("row_number").distinct().count(),
    }


# Set-wise checks in SQL --------------------------------------------------------------------------


def sql_message(template: str, **parts: str) -> tuple[str, list]:
    """A translated sentence with SQL expressions in it: ``'prefix' || expr || 'suffix'``.

    ``template`` is already translated, with ``%(name)s`` for each SQL expression in ``parts``.
    """
    text = template % {name: f"{SENTINEL}{name}{SENTINEL}" for name in parts}
    pieces = text.split(SENTINEL)
    sql, params = [], []
    for index, piece in enumerate(pieces):
        if index % 2:
            sql.append(f"CAST({parts[piece]} AS TEXT)")
        elif piece:
            sql.append("%s")
            params.append(piece)
    return " || ".join(sql) or "''", params


def insert_errors(register_import: RegisterImport, *, column: str, message: tuple[str, list], select: str,
                  params: list) -> None:  # fmt: skip
    """INSERT an error for every row ``select`` finds (it selects ``r.row_number`` and what ``message`` names)."""
    message_sql, message_params = message
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {StagedError._meta.db_table} (register_import_id, row_number, "column", message) '
            f"SELECT %s, r.row_number, %s, {message_sql} {select}",  # noqa: S608 — built from literals here
            [register_import.pk, column, *message_params, *params],
        )


def mark_groups_in_error(register_import: RegisterImport) -> None:
    """A household with any row in error is not committed: every row of its group is marked."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_stagedrow SET outcome = %s WHERE register_import_id = %s AND group_key IN ("
            "SELECT r.group_key FROM cases_stagedrow r JOIN cases_stagederror e "
            "ON e.register_import_id = r.register_import_id "
            "AND e.row_number = r.row_number WHERE r.register_import_id = %s)",
            [Outcome.ERROR, register_import.pk, register_import.pk],
        )


def duplicate_people(register_import: RegisterImport, *, column: str) -> None:
    """The same 身份证号 twice inside the file: every later row names the first."""
    insert_errors(
        register_import,
        column=column,
        message=sql_message(_("与第 %(row)s 行是同一人（身份证号相同），同一人只能登记一次。"), row="f.first_row"),
        select=(
            "FROM cases_stagedrow r JOIN (SELECT id_number, MIN(row_number) AS first_row FROM cases_stagedrow "
            "WHERE register_import_id = %s AND id_number <> '' GROUP BY id_number HAVING COUNT(*) > 1) f "
            "ON f.id_number = r.id_number WHERE r.register_import_id = %s AND r.row_number > f.first_row"
        ),
        params=[register_import.pk, register_import.pk],
    )


def errors_page(register_import: RegisterImport):
    return StagedError.objects.filter(register_import=register_import).order_by("row_number", "id")


# Commit ----------------------------------------------------------------------------------------


@dataclass
class CommitResult:
    created: int = 0
    skipped: int = 0
    extra: dict = field(default_factory=dict)


class StageLost(Exception):
    """The staged rows are not all there any more."""


def commit_lock() -> None:
    """One register commit at a time (two stages of the same workbook must not both create its files)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [0x5245_4749])


def register_commit(*, import_id: int) -> RegisterImport:
    """Commit an approved stage: all its rows or none, in one transaction; a second run creates nothing."""
    with transaction.atomic():
        commit_lock()
        register_import = (
            RegisterImport.objects.select_for_update(of=("self",))
            .select_related("union", "uploaded_by", "approved_by")
            .get(pk=import_id)
        )
        if register_import.status != ImportStage.APPROVED:
            return register_import
        counts = dict(register_import.counts)
        if StagedRow.objects.filter(register_import=register_import).count() != counts.get("rows"):
            # The staging tables keep no write-ahead log: a database restart empties them.
            raise StageLost(_("暂存的数据已不完整（数据库重启后会清空），不能入库。请作废本次导入后重新上传。"))
        counts.update(kind_of(register_import.kind).commit(register_import))
        register_import.counts = counts
        register_import.status = ImportStage.COMMITTED
        register_import.committed_at = timezone.now()
        register_import.error = ""
        register_import.save(update_fields=["counts", "status", "committed_at", "error"])
    return register_import


def staged_groups(register_import: RegisterImport, outcome: str = Outcome.NEW,
                  limit: int | None = None) -> Iterator[list[StagedRow]]:  # fmt: skip
    """The staged rows of each group to commit, head first then in file order, streamed (the first
    ``limit`` groups of the file only, when given)."""
    rows = StagedRow.objects.filter(register_import=register_import, outcome=outcome)
    if limit is not None:
        first = rows.filter(is_head=True).order_by("row_number").values_list("group_key", flat=True)[:limit]
        rows = rows.filter(group_key__in=list(first))
    rows = (
        rows.order_by("group_key", "-is_head", "row_number")
        .only(
            "row_number", "group_key", "id_number", "is_head", "union_id", "file_number", "ref_id", "target_id", "data"
        )
        .iterator(chunk_size=CHUNK_ROWS)
    )
    group, key = [], None
    try:
        for row in rows:
            if row.group_key != key and group:
                yield group
                group = []
            key = row.group_key
            group.append(row)
        if group:
            yield group
    finally:
        rows.close()  # the server-side cursor, while its transaction is still open
