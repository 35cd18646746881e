"""One cell of the import workbook to a Python value: text, 身份证号, card, choice, causes, 是/否, money."""

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hardship.identity import normalise_card_number, parse_id_number, validate_card_number
from hardship.money import CENT

from ..models import Household, Member
from .columns import CARD, CAUSES, CHOICE, ID_NUMBER, MEMBER, MONEY, NO, PHONE, TEXT, YES, YES_NO, Column, header_key

# A household's yearly sums stay far inside the 12-digit money columns.
MAX_MONEY = Decimal("99999999.99")
# Excel keeps 15 significant digits: a longer number typed into a number cell is already wrong.
EXACT_FLOAT_LIMIT = 2**53

_PHONE = re.compile(r"[0-9-]{7,20}")
_CAUSE_SPLIT = re.compile(r"[、，,；;/\s]+")
_YES = {YES, "Y", "YES", "TRUE", "1", "√"}
_NO = {NO, "N", "NO", "FALSE", "0", ""}


def default_value(column: Column):
    """What a blank optional cell means: the model's default."""
    if column.kind == MONEY:
        return Decimal("0")
    if column.kind == CAUSES:
        return []
    if column.kind == YES_NO:
        return False
    if column.kind == CHOICE:
        model = Member if column.level == MEMBER else Household
        return model._meta.get_field(column.field).default
    return ""


def _text(raw) -> str:
    if raw.__class__ is str:
        return raw.replace("\u3000", " ").strip()
    if isinstance(raw, bool):
        return YES if raw else NO
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    return str(raw).replace("\u3000", " ").strip()


def _shown(raw) -> str:
    """A cell's value quoted back in a message, cut short."""
    text = _text(raw)
    return text if len(text) <= 20 else text[:20] + "…"


def _digits_text(column: Column, raw) -> str:
    if isinstance(raw, float) and abs(raw) >= EXACT_FLOAT_LIMIT:
        raise ValidationError(
            _("“%(h)s”被 Excel 存成了数字，末几位已经丢失。请把该列设为“文本”格式后重新录入号码。")
            % {"h": column.header}
        )
    return _text(raw)


def _as_text(column: Column, raw, lookups: dict) -> str:
    text = _text(raw)
    if column.max_length and len(text) > column.max_length:
        raise ValidationError(
            _("“%(h)s”最多 %(n)d 个字，当前 %(len)d 个字。")
            % {"h": column.header, "n": column.max_length, "len": len(text)}
        )
    return text


def _as_phone(column: Column, raw, lookups: dict) -> str:
    text = "".join(_digits_text(column, raw).split())
    if not _PHONE.fullmatch(text):
        raise ValidationError(_("联系电话格式不正确：应为 7–20 位数字，可含“-”。"))
    return text


def _as_id_number(column: Column, raw, lookups: dict) -> str:
    return parse_id_number(_digits_text(column, raw)).number


def _as_card(column: Column, raw, lookups: dict) -> str:
    text = normalise_card_number(_digits_text(column, raw))
    validate_card_number(text)
    return text


def _as_choice(column: Column, raw, lookups: dict) -> str:
    value = lookups[column.field].get(raw) if raw.__class__ is str else None
    if value is not None:  # the label as the template's dropdown writes it
        return value
    text = _text(raw).replace(" ", "").replace("(", "（").replace(")", "）")
    value = lookups[column.field].get(text)
    if value is None:
        value = lookups[column.field].get(header_key(text))
    if value is None:
        raise ValidationError(
            _("“%(v)s”不是“%(h)s”的可选项，请从下拉列表中选择。") % {"v": _shown(raw), "h": column.header}
        )
    return value


def _as_causes(column: Column, raw, lookups: dict) -> list[str]:
    causes = []
    for part in _CAUSE_SPLIT.split(_text(raw)):
        if not part:
            continue
        value = lookups[column.field].get(part)
        if value is None:
            raise ValidationError(_("“%(v)s”不是致困原因的可选项；多项之间用“、”分隔。") % {"v": _shown(part)})
        causes.append(value)
    return list(dict.fromkeys(causes))


def _as_yes_no(column: Column, raw, lookups: dict) -> bool:
    text = _text(raw).upper()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValidationError(_("“%(h)s”请填写“是”或“否”。") % {"h": column.header})


def _as_money(column: Column, raw, lookups: dict) -> Decimal:
    if raw.__class__ is int and 0 <= raw <= MAX_MONEY:  # a whole number of yuan, the usual cell
        return Decimal(raw).quantize(CENT)
    invalid = ValidationError(_("“%(h)s”应为金额数字（元），如 2800 或 2800.50。") % {"h": column.header})
    if isinstance(raw, bool):
        raise invalid
    if isinstance(raw, int | float):
        # A computed cell may carry binary noise (0.30000000000000004): keep it when it is a whole fen.
        if isinstance(raw, float) and abs(raw - round(raw, 2)) < 1e-6:
            raw = round(raw, 2)
        text = str(raw)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation as exc:
        raise invalid from exc
    if not amount.is_finite():
        raise invalid
    if amount < 0:
        raise ValidationError(_("“%(h)s”不能为负数。") % {"h": column.header})
    if amount > MAX_MONEY:  # before quantize, which fails on a number this large
        raise ValidationError(_("“%(h)s”金额过大，请核对。") % {"h": column.header})
    if amount != amount.quantize(CENT):
        raise ValidationError(_("“%(h)s”最多保留两位小数。") % {"h": column.header})
    return amount.quantize(CENT)


def cell_value(column: Column, raw, lookups: dict):
    """The value of one non-blank cell, or ValidationError with a Chinese message saying what is wrong."""
    return _CONVERTERS[column.kind](column, raw, lookups)


_CONVERTERS = {
    TEXT: _as_text,
    PHONE: _as_phone,
    ID_NUMBER: _as_id_number,
    CARD: _as_card,
    CHOICE: _as_choice,
    CAUSES: _as_causes,
    YES_NO: _as_yes_no,
    MONEY: _as_money,
}
