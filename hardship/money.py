"""Money: the one rounding rule, used by services, selectors, exports and the ``money`` filter.

Amounts are ``Decimal`` to the fen, rounded half up (四舍五入), made from strings. A database
aggregate comes back as whatever the backend returns (SQLite's ``SUM`` gives ``2000``,
PostgreSQL's ``2000.00``): nothing shows or stores it before it has passed through here.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
# Every money column: up to 9,999,999,999.99 yuan, to the fen.
MONEY_FIELD = {"max_digits": 12, "decimal_places": 2}
INVALID_AMOUNT = _("请填写有效的金额。")


def money(value: Any) -> Decimal:
    """``value`` (a string, int, Decimal or an aggregate's result) to the fen, half up.

    Anything that is not a finite number (``None`` included: the ``SUM`` of no rows is for the
    caller to default) is a ``ValidationError`` with the sentence a form shows.
    """
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            raise ValidationError(INVALID_AMOUNT)
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(INVALID_AMOUNT) from exc


def money_text(value: Any) -> str:
    """How an amount is shown on a page, a sheet or in the API: two decimals, no grouping.

    Empty (``None`` or ``""``) stays empty, so a template can fall back with ``|default``.
    """
    if value is None or value == "":
        return ""
    return f"{money(value):.2f}"
