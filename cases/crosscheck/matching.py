"""Matching a registry's result file, set-based: the file into a staging table, one join on 身份证号.

On PostgreSQL the file goes in by ``COPY`` exactly as it came (the bare-COPY floor the benchmark
compares against); a file PostgreSQL cannot read as CSV (a row with too many cells) is parsed in
Python instead and goes in the same table. On SQLite (the laptop path) rows go in by executemany.
Then, in SQL: malformed rows (a 身份证号 that is not 18 characters of the right shape, a number
that is not a number) and unmatched ones are counted and the first 200 listed by row; every match
with a person of the request becomes a ``Finding`` in one ``INSERT … SELECT``.
"""

import csv
import io
from dataclasses import dataclass, field

from django.db import connection, transaction

from .models import NUMERIC_RESULT_FIELDS, RESULT_FIELDS, Finding, RequestPerson

LISTED = 200
STAGE = "xcheck_stage"
ID_PATTERN = r"^[0-9]{17}[0-9Xx]$"
NUMBER_PATTERN = r"^-?[0-9]{1,12}(\.[0-9]{1,4})?$"


@dataclass
class MatchResult:
    rows: int = 0
    matched: int = 0
    unmatched_count: int = 0
    malformed_count: int = 0
    unmatched: list = field(default_factory=list)
    malformed: list = field(default_factory=list)


class ResultFileError(Exception):
    """The file cannot be read at all (no header, or its header lacks the 身份证号 column)."""


def _pg() -> bool:
    return connection.vendor == "postgresql"


def header_positions(header: list[str], mapping: dict[str, str], kind: str) -> dict[str, int]:
    """result field → column position, from the registry's mapping of field → header text."""
    names = [h.strip().lstrip("\ufeff") for h in header]
    positions = {}
    for wanted in RESULT_FIELDS[kind]:
        title = mapping.get(wanted, wanted)
        if title in names:
            positions[wanted] = names.index(title)
    if "id_number" not in positions:
        raise ResultFileError(mapping.get("id_number", "身份证号"))
    return positions


def stage_create(cursor, columns: int) -> None:
    cells = ", ".join(f"c{i} TEXT" for i in range(columns))
    cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    if _pg():
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (row_no BIGSERIAL, {cells}) ON COMMIT DROP")
    else:
        cursor.execute(f"CREATE TEMP TABLE {STAGE} (row_no INTEGER PRIMARY KEY AUTOINCREMENT, {cells})")


def stage_copy(cursor, data: bytes, columns: int) -> None:
    """The file as it is, by COPY (PostgreSQL only; the header row is skipped by COPY itself)."""
    names = ", ".join(f"c{i}" for i in range(columns))
    sql = f"COPY {STAGE} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
    cursor.cursor.copy_expert(sql, io.BytesIO(data), size=1 << 20)


def _stage_rows(cursor, rows: list[list[str]], columns: int) -> None:
    names = ", ".join(f"c{i}" for i in range(columns))
    if _pg():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for number, row in rows:
            writer.writerow([number, *row])
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {STAGE} (row_no, {names}) FROM STDIN WITH (FORMAT csv)", buffer)
        return
    marks = ", ".join(["%s"] * (columns + 1))
    cursor.executemany(f"INSERT INTO {STAGE} (row_no, {names}) VALUES ({marks})", [[n, *r] for n, r in rows])


def _parsed(text: str, columns: int) -> tuple[list, list]:
    """(rows as (row number, cells), rows of the wrong width as listed entries) — the Python path."""
    reader = csv.reader(io.StringIO(text))
    next(reader, None)
    good, bad = [], []
    for number, row in enumerate(reader, start=1):
        if not row:
            continue
        if len(row) != columns:
            bad.append({"row": number, "problem": "columns", "value": ",".join(row)[:80]})
            row = (row + [""] * columns)[:columns]
            row = ["" for _ in row]  # kept as a row so the numbering stays, but never matches
        good.append((number, row))
    return good, bad


def _matches(value: str, pattern: str) -> str:
    return f"{value} ~ '{pattern}'" if _pg() else f"{value} REGEXP '{pattern}'"


def _json(pairs: dict[str, str]) -> str:
    args = ", ".join(f"'{k}', {v}" for k, v in pairs.items())
    return f"jsonb_build_object({args})" if _pg() else f"json_object({args})"


def _number(expr: str, integer: bool) -> str:
    if _pg():
        cell = f"NULLIF(TRIM({expr}), '')"
        return f"CAST({cell} AS BIGINT)" if integer else f"CAST(CAST({cell} AS NUMERIC(16,2)) AS TEXT)"
    cell = f"NULLIF(TRIM({expr}), '')"
    return f"CAST({cell} AS INTEGER)" if integer else f"printf('%.2f', CAST({cell} AS REAL))"


def match_file(*, upload, data: bytes, mapping: dict[str, str], kind: str, now) -> MatchResult:
    """Stage ``data`` and turn every row of a requested person into a finding of ``upload``.

    Runs inside the caller's transaction (the staging table dies with it on PostgreSQL).
    """
    text = data.decode("utf-8-sig", errors="replace")
    first_line = text.split("\n", 1)[0]
    header = next(csv.reader([first_line]), [])
    if not header:
        raise ResultFileError(mapping.get("id_number", "身份证号"))
    columns = len(header)
    positions = header_positions(header, mapping, kind)
    result = MatchResult()
    with connection.cursor() as cursor:
        stage_create(cursor, columns)
        wrong_width: list = []
        copied = False
        if _pg():
            try:
                with transaction.atomic():
                    stage_copy(cursor, data, columns)
                copied = True
            except Exception:  # noqa: BLE001 — a row PostgreSQL cannot read as CSV: take the Python path
                stage_create(cursor, columns)
        if not copied:
            rows, wrong_width = _parsed(text, columns)
            _stage_rows(cursor, rows, columns)
        if _pg():
            cursor.execute(f"ANALYZE {STAGE}")
        id_col = f"UPPER(TRIM(COALESCE(s.c{positions['id_number']}, '')))"
        checks = [_matches(id_col, ID_PATTERN)]
        for name, position in positions.items():
            if name in NUMERIC_RESULT_FIELDS:
                cell = f"TRIM(COALESCE(s.c{position}, ''))"
                checks.append(f"({cell} = '' OR {_matches(cell, NUMBER_PATTERN)})")
        valid = " AND ".join(checks)
        persons = RequestPerson._meta.db_table
        joined = (f"FROM {STAGE} s LEFT JOIN {persons} p ON p.request_id = %s AND p.registry_id = %s "
                  f"AND p.id_number = {id_col}")  # fmt: skip
        params = [upload.request_id, upload.registry_id]
        cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN NOT ({valid}) THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN ({valid}) AND p.id IS NULL THEN 1 ELSE 0 END) {joined}",
            params,
        )
        total, malformed, unmatched = cursor.fetchone()
        result.rows = total or 0
        result.malformed_count = malformed or 0
        result.unmatched_count = unmatched or 0
        if result.malformed_count:
            cursor.execute(f"SELECT s.row_no, {id_col} FROM {STAGE} s WHERE NOT ({valid}) ORDER BY s.row_no "
                           f"LIMIT {LISTED}")  # fmt: skip
            result.malformed = [{"row": r, "problem": "format", "value": v[:40]} for r, v in cursor.fetchall()]
        bad_rows = {entry["row"] for entry in wrong_width}
        result.malformed = [e for e in result.malformed if e["row"] not in bad_rows]
        result.malformed = sorted([*wrong_width, *result.malformed], key=lambda e: e["row"])[:LISTED]
        if result.unmatched_count:
            cursor.execute(f"SELECT s.row_no {joined} WHERE ({valid}) AND p.id IS NULL ORDER BY s.row_no "
                           f"LIMIT {LISTED}", params)  # fmt: skip
            result.unmatched = [{"row": r} for (r,) in cursor.fetchall()]
        data_sql = _json({
            name: (_number(f"s.c{pos}", name == "count") if name in NUMERIC_RESULT_FIELDS
                   else f"TRIM(COALESCE(s.c{pos}, ''))")
            for name, pos in positions.items() if name != "id_number"
        }) if len(positions) > 1 else ("'{}'::jsonb" if _pg() else "'{}'")  # fmt: skip
        findings = Finding._meta.db_table
        cursor.execute(
            f"INSERT INTO {findings} (upload_id, household_id, member_id, kind, found_on, row_number, data) "
            f"SELECT %s, p.household_id, p.member_id, %s, %s, s.row_no, {data_sql} "
            f"FROM {STAGE} s JOIN {persons} p ON p.request_id = %s AND p.registry_id = %s "
            f"AND p.id_number = {id_col} WHERE {valid}",
            [upload.pk, kind, upload.result_date, *params],
        )
        result.matched = cursor.rowcount
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
    return result
