"""Identity and account checks: 身份证号 (GB 11643-1999) and 银行卡号 (Luhn)."""

from dataclasses import dataclass
from datetime import date
from operator import mul

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


@dataclass(frozen=True)
class IdNumber:
    number: str
    birth_date: date
    sex: str  # "M" or "F"


def normalise_id_number(raw: str) -> str:
    return (raw or "").strip().replace(" ", "").upper()


def parse_id_number(raw: str, *, today: date | None = None) -> IdNumber:
    """Validate an 18-character 身份证号 and read birth date and sex from it.

    Raises ValidationError with a Chinese message saying what is wrong.
    """
    number = normalise_id_number(raw)
    if len(number) == 15:
        raise ValidationError(_("请填写 18 位身份证号（15 位旧号码请先换算为 18 位）。"), code="id_length")
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位，当前为 %(n)d 位。") % {"n": len(number)}, code="id_length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("身份证号前 17 位必须是数字，最后一位是数字或 X。"), code="id_chars")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不存在。") % {"d": number[6:14]}, code="id_date") from exc
    today = today or date.today()  # noqa: DTZ011 — a calendar date, not an instant
    if birth > today:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不合理。") % {"d": number[6:14]}, code="id_date")
    total = sum(map(mul, map(int, number[:17]), _WEIGHTS))  # 17 digits by 17 weights (checked above)
    expected = _CHECK[total % 11]
    if number[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误（最后一位应为 %(c)s），请核对号码。") % {"c": expected}, code="id_check"
        )
    return IdNumber(number=number, birth_date=birth, sex="M" if int(number[16]) % 2 else "F")


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def normalise_card_number(raw: str) -> str:
    return "".join((raw or "").split())


def luhn_ok(number: str) -> bool:
    digits = [int(ch) for ch in number if ch.isdigit()]
    if not digits:
        return False
    total = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def validate_card_number(value: str) -> None:
    """16–19 digits; a Luhn failure is NOT an error here (some real cards fail it): see luhn_ok."""
    number = normalise_card_number(value)
    if not number.isdigit():
        raise ValidationError(_("银行卡号只能包含数字。"), code="card_chars")
    if not 16 <= len(number) <= 19:
        raise ValidationError(
            _("银行卡号应为 16–19 位数字，当前为 %(n)d 位。") % {"n": len(number)}, code="card_length"
        )


def make_id_number(area: str, birth: date, sequence: int) -> str:
    """Build a valid 18-digit number (demo data and tests): area + birth date + sequence + check."""
    body = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    return body + _CHECK[total % 11]


def make_card_number(body: str) -> str:
    """Append the Luhn check digit to ``body`` (demo data and tests)."""
    for digit in "0123456789":
        if luhn_ok(body + digit):
            return body + digit
    raise ValueError(body)  # unreachable: one digit always fits
