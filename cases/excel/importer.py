"""新建档案 from the template workbook, on the staged engine (cases/register/drafts.py): the file is
refused at once if it is no template workbook; otherwise a worker checks every row (身份证号, choices,
amounts, one 本人 per household, nobody twice in the file or already on a live file) and the uploader,
having read the summary, imports the drafts — all or none.

``households_import`` runs the same steps in this process, one after the other: for the tests, the
benchmarks and a shell.
"""

import zipfile
from dataclasses import dataclass, field
from io import BytesIO

from django.db import transaction
from django.utils.translation import gettext as _

from hardship.models import Union, User

from ..register.xlsx import first_sheet_path
from .columns import COLUMNS

MAX_FILE_BYTES = 5 * 1024 * 1024
# A 5 MB .xlsx of 20,000 full rows unpacks to well under this; more means a zip bomb.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DRAFTS = "drafts"  # the engine's kind (cases/register/drafts.py)


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
    warnings: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    """The file as a whole cannot be read: wrong type, damaged, too big."""


def households_import(*, actor: User, union: Union, file, request=None) -> ImportResult:
    """Open draft files at ``union`` for every household in a template workbook — all or none — by the
    staged engine's steps in this process: upload, check, confirm, commit."""
    from ..register.engine import register_commit, register_stage  # noqa: PLC0415 — a cycle: the engine reads cases.excel
    from ..register.services import register_import_drafts, register_upload  # noqa: PLC0415 — the same cycle

    try:
        check_file(file)
    except ImportRejected as exc:
        return ImportResult(errors=[RowError(None, "", str(exc))])
    # One transaction: the tasks the steps queue (on commit) find the import already done and do nothing.
    with transaction.atomic():
        register_import = register_upload(actor=actor, union=union, kind=DRAFTS, file=file, request=request)
        try:
            with transaction.atomic():
                register_import = register_stage(import_id=register_import.pk)
        except Exception:  # noqa: BLE001 — the check failed on the file (its page says so): refuse it whole
            transaction.set_rollback(True)
            return ImportResult(errors=[RowError(None, "", _damaged())])
        errors = stage_errors(register_import)
        if errors:  # refused whole: nothing of it stays (the upload neither; the page flow keeps it for its summary)
            transaction.set_rollback(True)
            return ImportResult(errors=errors)
        register_import_drafts(actor=actor, import_id=register_import.pk, request=request)
        done = register_commit(import_id=register_import.pk)
    return ImportResult(households=done.counts.get("created", 0), members=done.counts.get("members", 0))


def _damaged() -> str:
    return _("文件已损坏，无法读取。请在 Excel 中打开检查后重新保存为 .xlsx 再导入。")


_COLUMN_ORDER = {c.header: i for i, c in enumerate(COLUMNS)}


def stage_errors(register_import) -> list[RowError]:
    """The check's errors as the page lists them: by row, then in the template's column order."""
    from ..register.engine import errors_page  # noqa: PLC0415 — the same cycle

    errors = [RowError(e.row_number or None, e.column, e.message) for e in errors_page(register_import)]
    return sorted(errors, key=lambda e: (e.row or 0, _COLUMN_ORDER.get(e.column, -1)))


def check_file(file) -> None:
    """Refuse (ImportRejected, in Chinese) what is not a template workbook of at most 5 MB; rewinds the file."""
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
    damaged = _damaged()
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
        with zipfile.ZipFile(BytesIO(data)) as archive:
            first_sheet_path(archive)
    except Exception as exc:  # noqa: BLE001 — a damaged workbook fails in many ways (zip, XML, no sheet)
        raise ImportRejected(damaged) from exc
    file.seek(0)
