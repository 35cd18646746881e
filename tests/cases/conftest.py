import itertools
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from cases.demo import WUXI_STANDARD
from cases.models import INCOME_SOURCES, HardshipStandard
from cases.services import MemberInput
from hardship.identity import make_id_number
from hardship.models import Role
from tests.factories import user_with_role

WUXI = WUXI_STANDARD  # 特困 below 1440, 低保 1230, minimum wage 2490: the tests' figures are the demo's


@pytest.fixture
def standard(tree):
    return HardshipStandard.objects.create(union=tree["city"], **WUXI)


@pytest.fixture
def grassroots(tree):
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], username="wanglihua", full_name="王丽华")


# Wuxi's district codes × 899 sequence numbers: enough distinct 身份证号 for the whole suite in one process.
_IDS = itertools.count()
_AREAS = ("320206", "320205", "320211", "320213", "320214", "320281", "320282")


def _next_id(birth: date) -> str:
    n = next(_IDS)
    return make_id_number(_AREAS[(n // 899) % len(_AREAS)], birth, 100 + n % 899)


HEAD_WAGES = Decimal("36000")


def person(relation="self", name="蒋建华", birth=date(1978, 3, 12), work="employed", **extra) -> MemberInput:
    """A member; the head earns 36,000 a year in wages unless told otherwise (income is each member's)."""
    extra.setdefault("id_number", _next_id(birth))
    if relation == "self":
        extra.setdefault("income_wages", HEAD_WAGES)
    return MemberInput(relation=relation, name=name, work_status=work, **extra)


def head_earning(wages, members=None) -> list[MemberInput]:
    """``members`` (one head by default) with the head's yearly wages set to ``wages``."""
    members = members or [person()]
    return [replace(m, income_wages=Decimal(wages)) if m.relation == "self" else m for m in members]


def household_data(**overrides) -> dict:
    data = {
        "phone": "13905100001",
        "address": "惠山区堰桥街道西漳村 12 号",
        "main_cause": "serious_illness",
        "secondary_causes": [],
    }
    data.update(overrides)
    return data


def form_post(union, members, **overrides):
    """The household form's POST data: the file's fields and one formset row per member."""
    data = {
        "union": union.pk, "phone": "13905100001", "address": "惠山区堰桥街道西漳村 12 号", "housing": "owned",
        "main_cause": "serious_illness", "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "20",
    }  # fmt: skip
    for field in ("expense_medical", "expense_disability", "expense_schooling", "expense_housing",
                  "sudden_event_cost"):  # fmt: skip
        data[field] = "0"
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    data.update(overrides)
    return data


def member_row(relation="self", name="蒋建华", id_number=None, work="employed", **incomes):
    """One member row of the household form (the head earns 36,000 a year in wages unless told otherwise)."""
    row = {"relation": relation, "name": name, "work_status": work, "health": "healthy", "disability": "none",
           "medical_insurance": "resident", "income_unit": "year",
           "id_number": id_number or make_id_number("320206", date(1978, 3, 12), 777)}  # fmt: skip
    for source in INCOME_SOURCES:
        row[source] = "0"
    if relation == "self":
        row["income_wages"] = str(HEAD_WAGES)
    row.update(incomes)
    return row
