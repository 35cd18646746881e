from datetime import date
from decimal import Decimal

import pytest

from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard
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


_seq = iter(range(100, 999))


def person(relation="self", name="蒋建华", birth=date(1978, 3, 12), work="employed", **extra) -> MemberInput:
    extra.setdefault("id_number", make_id_number("320206", birth, next(_seq)))
    return MemberInput(relation=relation, name=name, work_status=work, **extra)


def household_data(**overrides) -> dict:
    data = {
        "phone": "13905100001",
        "address": "惠山区堰桥街道西漳村 12 号",
        "main_cause": "serious_illness",
        "secondary_causes": [],
        "income_wages": Decimal("36000"),
    }
    data.update(overrides)
    return data


def form_post(union, members, **overrides):
    """The household form's POST data: the file's fields and one formset row per member."""
    data = {
        "union": union.pk, "phone": "13905100001", "address": "惠山区堰桥街道西漳村 12 号", "housing": "owned",
        "main_cause": "serious_illness", "income_wages": "36000", "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0", "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "20",
    }  # fmt: skip
    for field in ("income_business", "income_property", "income_transfer", "income_pension", "income_union_aid",
                  "expense_medical", "expense_disability", "expense_schooling", "expense_housing",
                  "sudden_event_cost"):  # fmt: skip
        data[field] = "0"
    for index, member in enumerate(members):
        for key, value in member.items():
            data[f"members-{index}-{key}"] = value
    data.update(overrides)
    return data


def member_row(relation="self", name="蒋建华", id_number=None, work="employed"):
    """One member row of the household form."""
    return {"relation": relation, "name": name, "work_status": work, "health": "healthy", "disability": "none",
            "medical_insurance": "resident", "monthly_income": "0",
            "id_number": id_number or make_id_number("320206", date(1978, 3, 12), 777)}  # fmt: skip
