"""Export of a household list to .xlsx: personal data masked, cells safe to open in Excel."""

from io import BytesIO

from django.db.models import QuerySet
from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from hardship.masking import mask_id_number, mask_phone
from hardship.money import money
from hardship.spreadsheet import xlsx_append

from ..models import Cause, Household, Status, Tier
from ..selectors import household_list
from ..tiers import recorded_income_expression

EXPORT_SHEET = "家庭档案"
EXPORT_COLUMNS = (
    ("职工编号", 16),
    ("户主", 10),
    ("身份证号（脱敏）", 21),
    ("所属工会", 30),
    ("状态", 11),
    ("困难类别", 11),
    ("家庭人口", 9),
    ("家庭年收入（元，各成员之和）", 17),
    ("人均月收入（元）", 15),
    ("主要致困原因", 18),
    ("联系电话（脱敏）", 15),
    ("修改时间", 17),
)
EXPORT_FIELDS = (
    "file_number", "head_name", "head_id_number", "union__name", "status", "tier", "member_count",
    "recorded_income", "per_capita_income", "main_cause", "phone", "updated_at",
)  # fmt: skip
CHUNK = 2000


def households_export_xlsx(*, households: QuerySet[Household]) -> bytes:
    """The rows of an already scoped and filtered list, masked, as a workbook (a small list, in the request)."""
    buffer = BytesIO()
    households_export_write(households=households, out=buffer)
    return buffer.getvalue()


def households_export_job(job, out, progress) -> int:
    """The export job of a large list (hardship.exports): the owner's list with the filters they had on screen."""
    return households_export_write(households=household_list(user=job.owner, **job.params), out=out,
                                   progress=progress)  # fmt: skip


def households_export_write(*, households: QuerySet[Household], out, progress=None) -> int:
    """The rows of an already scoped and filtered list, masked, as a workbook written into ``out``.

    Streams the queryset in chunks into a write-only workbook, so a large export
    never holds every household (or every cell object) in memory at once.
    """
    with translation.override("zh-hans"):  # the labels match the Chinese headers, whatever the UI language
        statuses = {value: str(label) for value, label in Status.choices}
        tiers = {value: str(label) for value, label in Tier.choices}
        causes = {value: str(label) for value, label in Cause.choices}

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(EXPORT_SHEET)
    for index, (_header, width) in enumerate(EXPORT_COLUMNS):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.freeze_panes = "A2"
    xlsx_append(sheet, [_header_cell(sheet, header) for header, _width in EXPORT_COLUMNS])

    # Plain tuples, not model instances: a city-wide export is a hundred thousand rows.
    count = 0
    rows = households.annotate(recorded_income=recorded_income_expression()).values_list(*EXPORT_FIELDS)
    for (
        file_number,
        head,
        id_number,
        union,
        status,
        tier,
        size,
        recorded,
        income,
        cause,
        phone,
        updated,
    ) in rows.iterator(chunk_size=CHUNK):
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(count)
        xlsx_append(
            sheet,
            [
                file_number,
                head,
                mask_id_number(id_number),
                union,
                statuses.get(status, status),
                tiers.get(tier, tier),
                size,
                money(recorded),
                income,
                causes.get(cause, cause),
                mask_phone(phone),
                # Excel has no time zones: local wall-clock time, which openpyxl formats as a date.
                timezone.localtime(updated).replace(tzinfo=None),
            ],
        )
    workbook.save(out)
    return count


def _header_cell(sheet, text: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor="F3D6D8")
    return cell
