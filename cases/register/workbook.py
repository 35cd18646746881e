"""The register workbooks the portal writes: a kind's template (header, notes, an example row) and, for the
benchmark and the tests, a generated register of any size, streamed in write-only mode."""

from collections.abc import Iterable
from io import BytesIO

from django.utils import translation
from openpyxl import Workbook

from hardship.spreadsheet import xlsx_append

from .engine import Kind

HOUSEHOLD_EXAMPLE = (
    {
        "户编号": 1, "所属工会": "", "职工编号": "WX2019-00123", "建档日期": "2019-05-20",
        "困难类别（原记录）": "特困", "上次复核日期": "2025-05-18", "状态": "已建档",
        "与户主关系": "本人（户主）", "姓名": "张建国", "身份证号": "320206198203154510", "健康状况": "健康",
        "就业就学状况": "在职", "工资性收入（元/年）": 31200, "联系电话": "13912345678",
        "家庭住址": "无锡市惠山区堰桥街道锡澄路 123 号", "主要致困原因": "患重特大疾病",
        "开户银行": "中国工商银行", "银行卡号": "6222021234567890128",
    },
    {
        "户编号": 1, "与户主关系": "配偶", "姓名": "李秀英", "身份证号": "320206198406214528",
        "健康状况": "恶性肿瘤", "就业就学状况": "无劳动能力",
    },
)  # fmt: skip


def register_template_xlsx(kind: Kind, examples: Iterable[dict] = ()) -> bytes:
    """The kind's columns as a header, their notes on the second sheet, and the example rows."""
    with translation.override("zh-hans"):
        return register_xlsx(kind, examples, notes=True)


def register_xlsx(kind: Kind, rows: Iterable[dict], *, notes: bool = False, target=None) -> bytes | None:
    """A register workbook with ``rows`` (header → value), streamed: flat memory whatever its size.

    Written to ``target`` (a path or file) when given, else returned as bytes.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("存量档案")
    headers = [c.header for c in kind.columns]
    xlsx_append(sheet, headers)
    for row in rows:
        xlsx_append(sheet, [row.get(h) for h in headers])
    if notes:
        help_sheet = workbook.create_sheet("填写说明")
        xlsx_append(help_sheet, ["列", "必填", "说明"])
        for column in kind.columns:
            xlsx_append(help_sheet, [column.header, "是" if column.required else "", column.note])
    if target is not None:
        workbook.save(target)
        return None
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
