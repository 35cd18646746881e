"""Matching a registry's result file, set-based: the file into a staging table, one join on 身份证号.

On PostgreSQL the file goes in by ``COPY`` exactly as it came (the bare-COPY floor the benchmark
compares against); a file PostgreSQL cannot read as CSV (a row with too many cells) is parsed in
Python instead and goes in the same table. On SQLite (the laptop path) rows go in by executemany.
Then, in SQL: malformed rows (a 身份证号 that is not 18 characters of the right shape, a number
that is not a number) and unmatched ones are counted and the first 200 listed by row; every match
with a person of the request becomes a ``Finding`` in one ``INSERT … SELECT`` (on PostgreSQL from
the small table of the rows the join keeps: ``_match_pg``).
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


def stage_create(cursor, columns: int, stage: str = STAGE) -> None:
    """The staging table. On PostgreSQL an UNLOGGED table of this upload's own name (created and dropped
    in its transaction): a temporary table goes through the session's small local buffers and reads a
    million rows twice as slowly."""
    cells = ", ".join(f"c{i} TEXT" for i in range(columns))
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    if _pg():
        cursor.execute(f"CREATE UNLOGGED TABLE {stage} (row_no BIGSERIAL, {cells}) WITH (autovacuum_enabled = false)")
    else:
        cursor.execute(f"CREATE TEMP TABLE {stage} (row_no INTEGER PRIMARY KEY AUTOINCREMENT, {cells})")


def stage_copy(cursor, data: bytes, columns: int, stage: str = STAGE) -> None:
    """The file as it is, by COPY (PostgreSQL only; the header row is skipped by COPY itself)."""
    names = ", ".join(f"c{i}" for i in range(columns))
    sql = f"COPY {stage} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')"
    cursor.cursor.copy_expert(sql, io.BytesIO(data), size=1 << 20)


def _stage_rows(cursor, rows: list[list[str]], columns: int, stage: str) -> None:
    names = ", ".join(f"c{i}" for i in range(columns))
    if _pg():
        buffer = io.StringIO("".join("\t".join([str(number), *map(_copy_text, row)]) + "\n" for number, row in rows))
        cursor.cursor.copy_expert(f"COPY {stage} (row_no, {names}) FROM STDIN", buffer)
        return
    marks = ", ".join(["%s"] * (columns + 1))
    cursor.executemany(f"INSERT INTO {stage} (row_no, {names}) VALUES ({marks})", [[n, *r] for n, r in rows])


def _copy_text(value: str) -> str:
    """A cell in COPY's text format (backslash, tab and line ends escaped)."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


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


def _id_shape(value: str) -> str:
    """17 digits and a digit or X: on PostgreSQL without a regex (ltrim of the digits leaves '' or 'X'),
    three times cheaper on a million rows."""
    if _pg():
        return f"(OCTET_LENGTH({value}) = 18 AND LTRIM({value}, '0123456789') IN ('', 'X'))"
    return _matches(value, ID_PATTERN)


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


def _match_pg(
    cursor, *, stage: str, total: int, highest: int, id_cell: str, number_checks: list[str], cells: list[int],
    params: list, insert: str, finding_params: list,
) -> tuple[int, int, list, list]:  # fmt: skip
    """(malformed, matched, the first malformed rows, the first unmatched rows) on PostgreSQL.

    The file is read once, by the join, on the 身份证号 cell as it came (a number is almost always sent
    clean, so a million probes compute nothing), as a ``CREATE TABLE … AS`` so that PostgreSQL may run
    it in parallel (an ``INSERT … SELECT`` never is). It keeps only the rows that need a second look:
    the matches, and the rows that are not clean (a number to trim or upper-case, matched after by one
    index probe each, or malformed). Every other row is a well-formed row of nobody in the request, so
    the unmatched count is what is left, and their list is read from the first rows of the file alone.
    """
    persons = RequestPerson._meta.db_table
    clean = _id_shape(id_cell)
    numbers_ok = " AND ".join(number_checks) or "TRUE"
    tidy = _id_shape("UPPER(TRIM(COALESCE(s.idc, '')))")  # on a kept row: its number once trimmed
    kept = "".join(f", s.c{pos}" for pos in cells)
    matches = f"{stage}_m"
    cursor.execute(f"DROP TABLE IF EXISTS {matches}")
    # The join keeps a few rows of a million, which the planner cannot know: told that the rows its
    # workers hand back cost next to nothing, it runs the join in parallel. Set back right after.
    cursor.execute("SET LOCAL parallel_tuple_cost = 0.0001")
    cursor.execute(
        f"CREATE UNLOGGED TABLE {matches} AS SELECT s.row_no, p.member_id, p.household_id, {id_cell} AS idc{kept}, "
        f"COALESCE({clean} AND {numbers_ok}, FALSE) AS ok FROM {stage} s LEFT JOIN {persons} p "
        f"ON p.request_id = %s AND p.registry_id = %s AND p.id_number = {id_cell} "
        f"WHERE p.member_id IS NOT NULL OR NOT COALESCE({clean} AND {numbers_ok}, FALSE)",
        params,
    )  # fmt: skip
    cursor.execute("SET LOCAL parallel_tuple_cost TO DEFAULT")
    # A number that only needed trimming or upper-casing: its match is kept beside it, as a clean row.
    cursor.execute(
        f"INSERT INTO {matches} SELECT s.row_no, p.member_id, p.household_id, s.idc{kept}, TRUE FROM {matches} s "
        f"CROSS JOIN LATERAL (SELECT p.member_id, p.household_id FROM {persons} p WHERE p.request_id = %s "
        f"AND p.registry_id = %s AND p.id_number = UPPER(TRIM(s.idc)) LIMIT 1) p "
        f"WHERE s.member_id IS NULL AND {tidy} AND {numbers_ok}",
        params,
    )  # fmt: skip
    cursor.execute(f"{insert} FROM {matches} s WHERE s.ok AND s.member_id IS NOT NULL", finding_params)
    matched = cursor.rowcount
    broken = f"NOT s.ok AND NOT ({tidy} AND {numbers_ok})"
    cursor.execute(f"SELECT COUNT(*) FROM {matches} s WHERE {broken}")
    (malformed,) = cursor.fetchone()
    bad, missing = [], []
    if malformed:
        cursor.execute(f"SELECT s.row_no, LEFT(UPPER(TRIM(COALESCE(s.idc, ''))), 40) FROM {matches} s "
                       f"WHERE {broken} ORDER BY s.row_no LIMIT {LISTED}")  # fmt: skip
        bad = cursor.fetchall()
    if total - malformed - matched:
        # The first LISTED unmatched rows are numbered at most LISTED + malformed + matched + the gaps in
        # the numbering (blank lines): only those rows are read again.
        last = LISTED + malformed + matched + (highest - total)
        cursor.execute(
            f"SELECT f.row_no FROM {stage} f WHERE f.row_no <= %s AND NOT EXISTS (SELECT 1 FROM {matches} s "
            f"WHERE s.row_no = f.row_no AND (s.ok OR NOT ({tidy} AND {numbers_ok}))) "
            f"ORDER BY f.row_no LIMIT {LISTED}",
            [last],
        )  # fmt: skip
        missing = [r for (r,) in cursor.fetchall()]
    cursor.execute(f"DROP TABLE {matches}")
    return malformed, matched, bad, missing


def match_file(*, upload, data: bytes, mapping: dict[str, str], kind: str, now) -> MatchResult:
    """Stage ``data`` and turn every row of a requested person into a finding of ``upload``.

    Runs inside the caller's transaction (the staging table dies with it on PostgreSQL).
    """
    first_line = data[: data.find(b"\n") if b"\n" in data[:65536] else 65536].decode("utf-8-sig", errors="replace")
    header = next(csv.reader([first_line]), [])
    if not header:
        raise ResultFileError(mapping.get("id_number", "身份证号"))
    columns = len(header)
    positions = header_positions(header, mapping, kind)
    result = MatchResult()
    stage = f"{STAGE}_{upload.pk}"
    with connection.cursor() as cursor:
        stage_create(cursor, columns, stage)
        wrong_width: list = []
        copied = False
        if _pg():
            try:
                with transaction.atomic():
                    stage_copy(cursor, data, columns, stage)
                copied = True
                staged = highest = cursor.cursor.rowcount  # numbered 1 … n by the table's sequence
            except Exception:  # noqa: BLE001 — a row PostgreSQL cannot read as CSV: take the Python path
                stage_create(cursor, columns, stage)
        if not copied:
            rows, wrong_width = _parsed(data.decode("utf-8-sig", errors="replace"), columns)
            _stage_rows(cursor, rows, columns, stage)
            staged, highest = len(rows), (rows[-1][0] if rows else 0)
        if _pg():
            cursor.execute("SET LOCAL work_mem = '256MB'")  # the join's hash of the request's people, in memory
            cursor.execute("SET LOCAL jit = off")  # compiling a one-off statement costs more than it saves
        id_col = f"UPPER(TRIM(COALESCE(s.c{positions['id_number']}, '')))"
        number_checks = []
        for name, position in positions.items():
            if name in NUMERIC_RESULT_FIELDS:
                cell = f"TRIM(COALESCE(s.c{position}, ''))"
                number_checks.append(f"({cell} = '' OR {_matches(cell, NUMBER_PATTERN)})")
        valid = " AND ".join([_id_shape(id_col), *number_checks])
        persons = RequestPerson._meta.db_table
        findings = Finding._meta.db_table
        params = [upload.request_id, upload.registry_id]
        data_sql = _json({
            name: (_number(f"s.c{pos}", name == "count") if name in NUMERIC_RESULT_FIELDS
                   else f"TRIM(COALESCE(s.c{pos}, ''))")
            for name, pos in positions.items() if name != "id_number"
        }) if len(positions) > 1 else ("'{}'::jsonb" if _pg() else "'{}'")  # fmt: skip
        insert = f"INSERT INTO {findings} (upload_id, household_id, member_id, kind, found_on, row_number, data) "
        finding_params = [upload.pk, kind, upload.result_date]
        if _pg():
            malformed, matched, bad, missing = _match_pg(
                cursor, stage=stage, total=staged, highest=highest, id_cell=f"s.c{positions['id_number']}",
                number_checks=number_checks,
                cells=[pos for name, pos in positions.items() if name != "id_number"], params=params,
                insert=f"{insert} SELECT %s, s.household_id, s.member_id, %s, %s, s.row_no, {data_sql}",
                finding_params=finding_params,
            )  # fmt: skip
            total = staged
            unmatched = total - malformed - matched
            result.malformed = [{"row": r, "problem": "format", "value": v} for r, v in bad]
            result.unmatched = [{"row": r} for r in missing]
        else:
            joined = (f"FROM {stage} s LEFT JOIN {persons} p ON p.request_id = %s AND p.registry_id = %s "
                      f"AND p.id_number = {id_col}")  # fmt: skip
            cursor.execute(
                f"SELECT COUNT(*), SUM(CASE WHEN NOT ({valid}) THEN 1 ELSE 0 END), "
                f"SUM(CASE WHEN ({valid}) AND p.id IS NULL THEN 1 ELSE 0 END) {joined}",
                params,
            )
            total, malformed, unmatched = cursor.fetchone()
            cursor.execute(f"SELECT s.row_no, {id_col} FROM {stage} s WHERE NOT ({valid}) ORDER BY s.row_no "
                           f"LIMIT {LISTED}")  # fmt: skip
            result.malformed = [{"row": r, "problem": "format", "value": v[:40]} for r, v in cursor.fetchall()]
            cursor.execute(f"SELECT s.row_no {joined} WHERE ({valid}) AND p.id IS NULL ORDER BY s.row_no "
                           f"LIMIT {LISTED}", params)  # fmt: skip
            result.unmatched = [{"row": r} for (r,) in cursor.fetchall()]
            cursor.execute(
                f"{insert} SELECT %s, p.household_id, p.member_id, %s, %s, s.row_no, {data_sql} "
                f"FROM {stage} s JOIN {persons} p ON p.request_id = %s AND p.registry_id = %s "
                f"AND p.id_number = {id_col} WHERE {valid}",
                [*finding_params, *params],
            )
            matched = cursor.rowcount
        result.rows, result.matched = total or 0, matched or 0
        result.malformed_count, result.unmatched_count = malformed or 0, unmatched or 0
        # A row of the wrong width is listed as such, not as a badly shaped number.
        bad_rows = {entry["row"] for entry in wrong_width}
        result.malformed = [e for e in result.malformed if e["row"] not in bad_rows]
        result.malformed = sorted([*wrong_width, *result.malformed], key=lambda e: e["row"])[:LISTED]
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    return result
