"""The columns of the household import workbook, shared by the template and the importer.

One row per member; the household's own facts sit on the 本人（户主） row. Income is
each member's own, by source (元/年), on every member's row: the household's is their
sum, never a column of its own. The header a user sees carries the unit
("工资性收入（元/年）"); the importer matches on the name before the bracket, so
"工资性收入" or "工资性收入(元/年)" are read the same.
"""

import re
from dataclasses import dataclass

from django.db.models import TextChoices

from ..models import (
    INCOME_SOURCES,
    Cause,
    Disability,
    Health,
    Household,
    Housing,
    MedicalInsurance,
    Member,
    Relation,
    SchoolLevel,
    WorkStatus,
)

GROUP, MEMBER, HOUSEHOLD = "group", "member", "household"
TEXT, ID_NUMBER, CHOICE, MONEY, CAUSES = "text", "id", "choice", "money", "causes"
YES_NO, CARD, PHONE = "yes_no", "card", "phone"

YES, NO = "是", "否"
CAUSE_SEPARATOR = "、"


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    level: str
    kind: str = TEXT
    choices: type[TextChoices] | None = None
    required: bool = False
    width: int = 12
    max_length: int | None = None
    note: str = ""

    @property
    def key(self) -> str:
        return header_key(self.header)


def _len(model, field: str) -> int:
    return model._meta.get_field(field).max_length


def _yearly(model, field: str, level: str, note: str) -> Column:
    label = str(model._meta.get_field(field).verbose_name)
    return Column(f"{label}（元/年）", field, level, MONEY, width=14, note=note)


MEMBER_INCOME_NOTE = "本人近 12 个月合计，元；按月收入填写时乘以 12；留空按 0。家庭年收入为各成员之和，不另填"
EXPENSE_NOTE = "家庭近 12 个月合计，元，可保留两位小数"


COLUMNS: tuple[Column, ...] = (
    Column(
        "户编号",
        "group",
        GROUP,
        required=True,
        width=8,
        note="同一户的成员填同一编号（如 1、1、2），只在本文件内用于分组",
    ),
    Column("与户主关系", "relation", MEMBER, CHOICE, Relation, required=True, width=13),
    Column("姓名", "name", MEMBER, required=True, width=10, max_length=_len(Member, "name")),
    Column(
        "身份证号", "id_number", MEMBER, ID_NUMBER, required=True, width=21, note="18 位，末位可为 X；请保持文本格式"
    ),
    Column("健康状况", "health", MEMBER, CHOICE, Health, width=14, note="留空按“健康”"),
    Column("残疾类别", "disability", MEMBER, CHOICE, Disability, width=11, note="留空按“无”"),
    Column("就业就学状况", "work_status", MEMBER, CHOICE, WorkStatus, required=True, width=13),
    Column("就学阶段", "school_level", MEMBER, CHOICE, SchoolLevel, width=11, note="在校学生填写，其他留空"),
    Column("医保", "medical_insurance", MEMBER, CHOICE, MedicalInsurance, width=11, note="留空按“居民医保”"),
    *(_yearly(Member, source, MEMBER, MEMBER_INCOME_NOTE) for source in INCOME_SOURCES),
    Column("联系电话", "phone", HOUSEHOLD, PHONE, required=True, width=14, max_length=_len(Household, "phone")),
    Column("工作单位", "employer", HOUSEHOLD, width=24, max_length=_len(Household, "employer")),
    Column("户口所在地", "hukou_location", HOUSEHOLD, width=20, max_length=_len(Household, "hukou_location")),
    Column("家庭住址", "address", HOUSEHOLD, required=True, width=32, max_length=_len(Household, "address")),
    Column("住房情况", "housing", HOUSEHOLD, CHOICE, Housing, width=13, note="留空按“自有住房”"),
    *(
        _yearly(Household, f, HOUSEHOLD, EXPENSE_NOTE)
        for f in ("expense_medical", "expense_disability", "expense_schooling", "expense_housing")
    ),
    Column("主要致困原因", "main_cause", HOUSEHOLD, CHOICE, Cause, required=True, width=18),
    Column("次要致困原因", "secondary_causes", HOUSEHOLD, CAUSES, Cause, width=26, note="最多三项，用“、”分隔"),
    Column("单亲（是/否）", "single_parent", HOUSEHOLD, YES_NO, width=10, note="留空按“否”"),
    Column("开户银行", "bank_name", HOUSEHOLD, width=16, max_length=_len(Household, "bank_name")),
    Column("开户支行", "bank_branch", HOUSEHOLD, width=20, max_length=_len(Household, "bank_branch")),
    Column("银行卡号", "bank_card", HOUSEHOLD, CARD, width=23, note="16–19 位数字，须为户主本人账户；请保持文本格式"),
)

# Columns whose digits Excel would turn into a number and round: kept as text.
TEXT_FORMAT_KINDS = (ID_NUMBER, CARD, PHONE)

_BRACKET = re.compile(r"[（(].*$")


def header_key(text) -> str:
    """ "月收入（元）", "月收入(元)" and " 月收入 " all name the same column."""
    return _BRACKET.sub("", str(text or "")).replace(" ", "").replace("\u3000", "").strip()


def choice_labels(choices: type[TextChoices]) -> list[str]:
    """The Chinese labels a user picks from (the empty "—" choice is a blank cell)."""
    return [str(label) for value, label in choices.choices if value != ""]


def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Label → value, accepting the code, the label and the label before its bracket (本人)."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        for key in (str(value), str(label), header_key(label)):
            if key:
                lookup[key.replace(" ", "")] = value
    if choices is Relation:
        lookup["户主"] = Relation.SELF
    if choices is SchoolLevel:
        lookup.update({"—": "", "-": "", "无": ""})
    return lookup
