from datetime import date
from decimal import Decimal

import pytest

from cases.models import HardshipStandard
from cases.services import MemberInput
from hardship.identity import make_id_number
from hardship.models import Role
from tests.factories import user_with_role

WUXI = {
    "effective_from": date(2024, 7, 1),
    "dibao_monthly": Decimal("1230"),
    "extreme_line_monthly": Decimal("1440"),
    "deep_multiple": Decimal("1.00"),
    "relative_multiple": Decimal("2.00"),
    "sudden_cost_ratio": Decimal("0.80"),
    "minimum_wage_monthly": Decimal("2490"),
}


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
