"""The cells of every file the portal writes: bank files, exports, returns, the import template.

Text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
Excel, LibreOffice and WPS (CSV / formula injection): a payee named ``=HYPERLINK(…)`` would
run on the bank clerk's PC. Such text gets a leading single quote (OWASP's advice), so the file
shows it and never runs it. Numbers, Decimals and dates are written as they are: a negative
amount is a number, not text. Writers append rows through ``xlsx_append`` and build CSV with
``csv_bytes``; tests/hardening/test_cell_escaping.py holds every writer to it.
"""

import csv
import io
from collections.abc import Iterable

from django.utils.functional import Promise
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value as a spreadsheet shows it and never runs it; anything but text is left as it is."""
    if isinstance(value, Promise):  # a lazily translated label
        value = str(value)
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters are not allowed in a workbook
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def xlsx_append(sheet, values: Iterable) -> None:
    """Append one row to an openpyxl sheet (ordinary or write-only) with every text cell made safe.

    A styled cell (``WriteOnlyCell``) keeps its style and gets its value made safe.
    """
    row = []
    for value in values:
        if isinstance(value, Cell):
            value.value = safe_cell(value.value)
        else:
            value = safe_cell(value)
        row.append(value)
    sheet.append(row)


def csv_write(out, rows: Iterable[Iterable]) -> int:
    """Rows streamed into the binary file ``out`` as :func:`csv_bytes` writes them; returns how many."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    text.write("\ufeff")
    writer = csv.writer(text)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        count += 1
    text.flush()
    text.detach()  # leave ``out`` open for the caller
    return count


def csv_bytes(rows: Iterable[Iterable]) -> bytes:
    """Rows as a CSV that Excel and WPS open as UTF-8 (it starts with a BOM), every text cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
