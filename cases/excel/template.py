"""The downloadable import template: 「家庭成员」 with dropdowns and an example household, and 「填写说明」."""

from io import BytesIO

from django.utils import translation
from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from hardship.spreadsheet import xlsx_append

from .columns import CAUSE_SEPARATOR, CHOICE, COLUMNS, MONEY, NO, TEXT_FORMAT_KINDS, YES, YES_NO, choice_labels

SHEET_MEMBERS = "家庭成员"
SHEET_HELP = "填写说明"
MAX_DATA_ROWS = 20_000

# One household of three, valid throughout: importing the template as it is creates it.
EXAMPLE_ROWS = (
    {
        "户编号": 1, "与户主关系": "本人（户主）", "姓名": "张建国", "身份证号": "320206198203154510",
        "健康状况": "健康", "残疾类别": "无", "就业就学状况": "在职", "医保": "职工医保",
        "工资性收入（元/年）": 31200, "转移性收入（元/年）": 2400,
        "联系电话": "13912345678", "工作单位": "无锡海溪防腐设备有限公司", "户口所在地": "江苏省无锡市惠山区",
        "家庭住址": "无锡市惠山区堰桥街道锡澄路 123 号 5 幢 201 室", "住房情况": "租房",
        "医疗支出（元/年）": 48000,
        "教育支出（元/年）": 3000, "住房支出（元/年）": 9600, "主要致困原因": "患重特大疾病",
        "次要致困原因": "子女上学", "单亲（是/否）": NO, "开户银行": "中国工商银行", "开户支行": "无锡惠山支行",
        "银行卡号": "6222021234567890128",
    },
    {
        "户编号": 1, "与户主关系": "配偶", "姓名": "李秀英", "身份证号": "320206198406214528",
        "健康状况": "恶性肿瘤", "残疾类别": "无", "就业就学状况": "无劳动能力", "医保": "居民医保",
    },
    {
        "户编号": 1, "与户主关系": "子女", "姓名": "张晓雨", "身份证号": "320211201009010041",
        "健康状况": "健康", "残疾类别": "无", "就业就学状况": "在校学生", "就学阶段": "初中", "医保": "居民医保",
    },
)  # fmt: skip

HEADER_FILL = PatternFill("solid", fgColor="F3D6D8")
EXAMPLE_FILL = PatternFill("solid", fgColor="FFF7D6")
REQUIRED_FONT = Font(bold=True, color="B3202A")


def households_template_xlsx() -> bytes:
    """The .xlsx a grassroots union fills in: one row per member, household facts on the 本人 row."""
    # Labels are the Chinese ones whatever the user's UI language: the importer reads Chinese.
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = SHEET_MEMBERS
        _write_members_sheet(sheet)
        _write_help_sheet(workbook.create_sheet(SHEET_HELP))
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_members_sheet(sheet) -> None:
    xlsx_append(sheet, [c.header for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index)
        cell.font = REQUIRED_FONT if column.required else Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        if column.note:
            cell.comment = Comment(column.note, "模板")
        if column.kind in TEXT_FORMAT_KINDS:
            # Typed digits stay text: an 18-digit number would lose its last digits.
            sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = column.width
        validation = _validation_for(column)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{MAX_DATA_ROWS + 1}")
            sheet.add_data_validation(validation)
    for example in EXAMPLE_ROWS:
        xlsx_append(sheet, [example.get(column.header) for column in COLUMNS])
    for row in sheet.iter_rows(min_row=2, max_row=len(EXAMPLE_ROWS) + 1):
        for cell, column in zip(row, COLUMNS, strict=True):
            cell.fill = EXAMPLE_FILL
            if column.kind in TEXT_FORMAT_KINDS:
                cell.number_format = "@"
    sheet.row_dimensions[1].height = 32
    sheet.freeze_panes = "D2"  # the header and who each row is stay in view


def _validation_for(column) -> DataValidation | None:
    if column.kind == CHOICE:
        options = choice_labels(column.choices)
    elif column.kind == YES_NO:
        options = [YES, NO]
    elif column.kind == MONEY:
        return DataValidation(
            type="decimal",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="金额有误",
            error="请填写不小于 0 的金额（元）。",
        )
    else:
        return None
    return DataValidation(
        type="list",
        # Excel refuses an inline list over 255 characters; a test keeps every list here shorter.
        formula1='"' + ",".join(options) + '"',
        allow_blank=not column.required,
        showErrorMessage=True,
        errorTitle="请从下拉列表选择",
        error=f"“{column.header}”只能填写下拉列表中的选项。",
    )


def _write_help_sheet(sheet) -> None:
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 100
    xlsx_append(sheet, ["家庭档案批量导入 · 填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    rules = [
        ("基本规则", "「家庭成员」表每行填写一名家庭成员，第一行为表头，请勿修改或删除表头。"),
        ("户编号", "同一户的成员填写相同的户编号（如 1、1、1、2、2），编号只用于本文件内分组。"),
        ("户主与户级信息", "每户必须有且只有一位“本人（户主）”。联系电话、住址、刚性支出、致困原因、单亲、"
                           "银行账户等户级信息只填写在本人（户主）所在行，其他成员行留空。"),
        ("收入", "收入按成员、按来源填写在每位成员自己的行（工资性、养老金、经营性、转移性、财产性、工会帮扶，"
                 "元/年）；家庭年收入是各成员收入之和，不另外填写。只知道月收入时，乘以 12 填写。"),
        ("身份证号", "18 位，最后一位可为 X；出生日期、性别由号码自动识别。身份证号、银行卡号、电话列已设为文本格式，"
                     "请勿改为数字格式，否则 Excel 会丢失末几位。"),
        ("下拉选项", "与户主关系、健康状况、残疾类别、就业就学状况、就学阶段、医保、住房情况、主要致困原因、单亲"
                     "请从下拉列表中选择。"),
        ("次要致困原因", f"最多三项，用“{CAUSE_SEPARATOR}”分隔，例如：子女上学{CAUSE_SEPARATOR}未参加社会保险。"),
        ("金额", "收入、支出均为近 12 个月合计（元/年）；填写不小于 0 的数字，最多两位小数，留空按 0。"),
        ("银行卡号", "16–19 位数字，须为户主本人名下账户（银行打卡到本人账户）。"),
        ("一人一档", "同一人只能在一份在档家庭档案中；文件内重复或已在其他在档档案中的人员将无法导入。"),
        ("整批导入", f"系统先逐行检查全部数据，只要有一处错误，整个文件都不会导入，并列出行号、列名和原因；"
                     f"改正后重新上传即可。每个文件最多 {MAX_DATA_ROWS:,} 行、5 MB。"),
        ("导入结果", "导入的档案为“草稿”状态，困难类别按所选工会适用的认定标准自动计算。"),
        ("示例行", "第 2–4 行（黄色底）为示例，正式导入前请删除或覆盖。"),
        ("红色表头", "表头为红色的列为必填项（户级必填项只对本人行要求）。"),
    ]  # fmt: skip
    for title, text in rules:
        xlsx_append(sheet, [title, text])
    for column in COLUMNS:
        if column.kind == CHOICE:
            xlsx_append(sheet, [f"{column.header}可选值", "、".join(choice_labels(column.choices))])
    for row in sheet.iter_rows(min_row=2):
        row[0].font = Font(bold=True)
        row[0].alignment = Alignment(vertical="top")
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
