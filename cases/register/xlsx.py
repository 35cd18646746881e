"""A streaming reader of a workbook's first sheet: (values of each row), in flat memory and fast.

openpyxl's read-only mode builds a cell object per cell with its style; a register of 250,000 member
rows takes a minute that way. The register needs only each cell's value, and its date columns are
known by name (an Excel date is a serial number there), so this reads the sheet's XML with the
standard library's C parser (``iterparse``), clearing each row once read. Shared strings, inline
strings, numbers, booleans and formula results (the cached value) are read; styles are not.
"""

import re
import zipfile
from collections.abc import Iterator
from xml.etree.ElementTree import iterparse as _iterparse


def iterparse(handle):
    # The standard library's expat (2.4+) refuses entity expansion bombs and never fetches external
    # entities, which is what defusedxml would add here.
    return _iterparse(handle)  # noqa: S314


MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")


class NotAWorkbook(Exception):
    pass


def _column_index(reference: str) -> int:
    letters = _COLUMN.match(reference).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _first_sheet_path(archive: zipfile.ZipFile) -> str:
    names = set(archive.namelist())
    try:
        with archive.open("xl/workbook.xml") as handle:
            sheet = next(e for _event, e in iterparse(handle) if e.tag == f"{MAIN}sheet")
            rel_id = sheet.get(f"{REL}id")
        with archive.open("xl/_rels/workbook.xml.rels") as handle:
            for _event, element in iterparse(handle):
                if element.tag.endswith("Relationship") and element.get("Id") == rel_id:
                    target = element.get("Target").lstrip("/")
                    path = target if target.startswith("xl/") else f"xl/{target}"
                    if path in names:
                        return path
    except (KeyError, StopIteration) as exc:
        raise NotAWorkbook from exc
    candidates = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
    if not candidates:
        raise NotAWorkbook
    return candidates[0]


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _event, element in iterparse(handle):
            if element.tag == f"{MAIN}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{MAIN}t")))
                element.clear()
    return strings


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def iter_rows(file) -> Iterator[tuple]:
    """Each row of the first sheet as a tuple of values (None for an empty cell), header first."""
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as exc:
        raise NotAWorkbook from exc
    with archive:
        strings = _shared_strings(archive)
        c_tag, v_tag, is_tag, t_tag, row_tag = f"{MAIN}c", f"{MAIN}v", f"{MAIN}is", f"{MAIN}t", f"{MAIN}row"
        expected = 1
        with archive.open(_first_sheet_path(archive)) as handle:
            row: dict[int, object] = {}
            for _event, element in iterparse(handle):
                tag = element.tag
                if tag == c_tag:
                    kind = element.get("t")
                    if kind == "inlineStr":
                        node = element.find(is_tag)
                        value = "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else None
                    else:
                        node = element.find(v_tag)
                        text = node.text if node is not None else None
                        if text is None:
                            value = None
                        elif kind == "s":
                            value = strings[int(text)]
                        elif kind in ("str", "e"):
                            value = text
                        elif kind == "b":
                            value = text == "1"
                        else:
                            value = _number(text)
                    reference = element.get("r")
                    if value is not None:
                        row[_column_index(reference) if reference else len(row)] = value
                elif tag == row_tag:
                    number = int(element.get("r") or expected)
                    while expected < number:  # rows the writer left out are blank
                        yield ()
                        expected += 1
                    yield tuple(row.get(i) for i in range(max(row) + 1)) if row else ()
                    expected += 1
                    row = {}
                    element.clear()
