"""Money is shown through one filter (``|money``): two decimals, half up, whatever the database returned.

SQLite's ``SUM`` of a DecimalField hands back ``2000`` where PostgreSQL hands back ``2000.00``; a
template that prints the raw value shows a different amount on each backend. The walk below finds
every variable in every template whose name is an amount and fails unless ``money`` is its first
filter, so a new page cannot print an aggregate raw.
"""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.template import Context, Template

from hardship.money import money, money_text

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# Decimal fields with two places that are ratios or multiples, not yuan.
NOT_MONEY = {"deep_multiple", "relative_multiple", "rate_percent", "sudden_cost_ratio"}
# Amounts that are computed (aggregates and summaries), not model fields.
COMPUTED = re.compile(r"(amount|total|balance|incomes?|pay|earnings|expenses|cost|budget|spent|allocated|subsidy)$")
# Counts whose names look like amounts.
NOT_AMOUNTS = {
    ("hardship/union_list.html", "total"),
    ("reports/dashboard.html", "breakdown.total"),
    ("hardship/export_list.html", "job.rows_total"),
    ("programs/batch_detail.html", "batch.freeze_total"),
}
BLOCK_BODY = re.compile(r"({%\s*blocktranslate[^%]*%}).*?{%\s*endblocktranslate\s*%}", re.S)
VARIABLE = re.compile(r"{{\s*([^}|]+?)\s*(\|[^}]*)?}}")
WITH_ARG = re.compile(r"(\w+)=([\w.]+)((?:\|[\w:\"'.]+)*)")


def _money_names() -> set[str]:
    names = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.DecimalField) and field.decimal_places == 2 and field.name not in NOT_MONEY:
                names.add(field.name)
    return names


def _is_amount(expression: str, names: set[str]) -> bool:
    if expression.startswith(("form.", "mf.")):  # a form field renders an input, not an amount
        return False
    last = expression.strip().split(".")[-1]
    return last in names or bool(COMPUTED.search(last))


def _unfiltered_amounts(root: Path = TEMPLATES) -> list[str]:
    names = _money_names()
    found = []
    for path in sorted(root.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(root))
        # Inside a blocktranslate, {{ t }} is the placeholder its ``with`` defined: the with is checked.
        outside = BLOCK_BODY.sub(r"\1", text)
        for expression, filters in VARIABLE.findall(outside):
            if (where, expression) in NOT_AMOUNTS:
                continue
            if _is_amount(expression, names) and not (filters or "").startswith("|money"):
                found.append(f"{where}: {{{{ {expression}{filters} }}}}")
        for block in re.findall(r"{%\s*blocktranslate[^%]*%}", text):
            for _name, expression, filters in WITH_ARG.findall(block):
                if (where, expression) in NOT_AMOUNTS:
                    continue
                if _is_amount(expression, names) and not filters.startswith("|money"):
                    found.append(f"{where}: {block[:60]}… {expression}{filters}")
    return found


def test_every_amount_in_every_template_goes_through_the_money_filter():
    assert _unfiltered_amounts() == []


def test_the_walk_sees_an_amount_printed_raw(tmp_path):
    # The walk itself can fail: a template printing a claim total raw is reported.
    (tmp_path / "raw.html").write_text("{{ e.claim_total }} {{ e.claim_total|money }}", encoding="utf-8")
    assert _unfiltered_amounts(tmp_path) == ["raw.html: {{ e.claim_total }}"]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(2000, "2000.00"), (Decimal("2000"), "2000.00"), (2340.5, "2340.50"), ("0.125", "0.13"),
     (Decimal("-0.005"), "-0.01"), (None, ""), ("", "")],
)  # fmt: skip
def test_the_filter_shows_two_decimals_rounded_half_up(raw, shown):
    assert Template("{{ x|money }}").render(Context({"x": raw})) == shown


def test_money_rounds_half_up_not_half_even():
    # Decimal's default quantize rounds half to even: 0.125 → 0.12. The fen rule is half up.
    assert money("0.125") == Decimal("0.13")
    assert money("2.675") == Decimal("2.68")
    assert money_text(Decimal("1E+3")) == "1000.00"
