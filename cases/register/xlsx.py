"""A streaming reader of a workbook's first sheet: (values of each row), in flat memory and fast.

openpyxl's read-only mode builds a cell object per cell with its style; a register of 250,000 member
rows takes a minute that way. The register needs only each cell's value, and its date columns are
known by name (an Excel date is a serial number there). The sheet's XML is decompressed in 4 MB
chunks and its rows and cells are found by regular expressions (the C engine): ``iterparse`` built an
element per cell and took 16 s for a city's 250,000 rows, this 5 s. A cell as openpyxl and Excel write
it (``<c r="B2" s="1" t="n"><v>…</v></c>``) is read by one exact pattern; a row with any other shape
(a prefix, attributes in another order, rich text) by a general one. Shared strings (read with
``iterparse``: they are few), inline strings, numbers, booleans and formula results (the cached value)
are read; styles are not.
"""

import codecs
import html
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


def first_sheet_path(archive: zipfile.ZipFile) -> str:
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


_P = r"(?:[A-Za-z_][\w.-]*:)?"  # a namespace prefix some writers put on every tag (x:row, x:c)
_ROW = re.compile(r"<" + _P + r"row\b([^>]*?)(?:/>|>(.*?)</" + _P + r"row>)", re.S)
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
# How openpyxl and Excel write a cell: attributes r, s, t in that order, a <v> or one plain inline <t>.
_PLAIN = re.compile(r'<c r="([A-Z]+)\d+"(?: s="\d+")?(?: t="(\w+)")?>(?:<v>([^<]*)</v>|<is><t>([^<]*)</t></is>)</c>')
_ANY = re.compile(
    r"<" + _P + r"c\b(?=[^>]*?\br=\"([A-Z]+))?(?:(?=[^>]*?\bt=\"(\w+)\"))?[^>]*?"
    r"(?:/>|>(?:<" + _P + r"v>([^<]*)</" + _P + r"v>|<" + _P + r"is>(.*?)</" + _P + r"is>)?.*?</" + _P + r"c>)",
    re.S,
)
_CELL_START = re.compile(r"<" + _P + r"c\b")
_T = re.compile(r"<" + _P + r"t(?:\s[^>]*)?>(.*?)</" + _P + r"t>", re.S)
_PHONETIC = re.compile(r"<" + _P + r"rPh\b.*?</" + _P + r"rPh>", re.S)  # a reading aid, not the text
CHUNK = 1 << 22


def _unescaped(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _rich_text(inner: str) -> str:
    return "".join(html.unescape(t) for t in _T.findall(_PHONETIC.sub("", inner)))


def _number(text: str):
    try:
        return int(text)
    except ValueError:
        return float(text)


def _sheet_text(handle) -> Iterator[str]:
    """The sheet's XML in pieces that each end with a whole row."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    buffer = ""
    while chunk := handle.read(CHUNK):
        buffer += decoder.decode(chunk)
        cut = buffer.rfind("row>")
        while cut >= 0 and buffer[buffer.rfind("<", 0, cut) + 1] != "/":  # a start tag (<row>), not an end
            cut = buffer.rfind("row>", 0, cut)
        if cut >= 0:
            yield buffer[: cut + 4]
            buffer = buffer[cut + 4 :]
    yield buffer + decoder.decode(b"", final=True)


def iter_rows(file) -> Iterator[tuple]:
    """Each row of the first sheet as a tuple of values (None for an empty cell), header first."""
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as exc:
        raise NotAWorkbook from exc
    columns: dict[str, int] = {}
    with archive:
        strings = _shared_strings(archive)
        expected = 1
        with archive.open(first_sheet_path(archive)) as handle:
            for text in _sheet_text(handle):
                for attributes, body in _ROW.findall(text):
                    found = _ROW_NUMBER.search(attributes)
                    number = int(found.group(1)) if found else expected
                    while expected < number:  # rows the writer left out are blank
                        yield ()
                        expected += 1
                    expected += 1
                    cells = _PLAIN.findall(body)
                    plain = len(cells) == len(_CELL_START.findall(body))
                    if not plain:
                        cells = _ANY.findall(body)
                    values: dict[int, object] = {}
                    position = 0
                    for letters, kind, value, inline in cells:
                        if letters:
                            index = columns.get(letters)
                            if index is None:
                                index = columns[letters] = _column_index(letters)
                        else:
                            index = position
                        position = index + 1
                        if inline:
                            values[index] = _unescaped(inline) if plain else _rich_text(inline)
                        elif value:
                            if kind == "s":
                                values[index] = strings[int(value)]
                            elif kind == "b":
                                values[index] = value == "1"
                            elif kind in ("str", "e", "inlineStr"):
                                values[index] = _unescaped(value)
                            else:
                                values[index] = _number(value)
                    yield tuple(values.get(i) for i in range(max(values) + 1)) if values else ()
