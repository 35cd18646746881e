"""Work-study fixtures: a 2026 寒假 at 惠山区, two caring enterprises with a login each, filed students."""

from datetime import date
from decimal import Decimal
from itertools import count

import pytest

from cases.models import Household, Member, Status
from hardship.identity import make_id_number
from hardship.models import Role
from programs.workstudy import services
from programs.workstudy.models import SafetyClass, Term
from tests.factories import user_with_role

START = date(2026, 1, 26)
END = date(2026, 2, 27)
INSURED = {
    "agreement_signed_on": date(2025, 12, 18),
    "insurer": "中国人民财产保险股份有限公司无锡市分公司",
    "insurance_policy": "PICC-2026-0001",
    "insurance_valid_from": date(2026, 1, 1),
    "insurance_valid_until": date(2026, 12, 31),
}
_sequence = count(100)


@pytest.fixture
def centre(in_scope_user):
    """Centre staff of 惠山区 (the season's organiser)."""
    return in_scope_user


@pytest.fixture
def season(centre, tree):
    return services.season_create(
        actor=centre, union=tree["huishan"], year=2026, term=Term.WINTER, starts_on=START, ends_on=END
    )


@pytest.fixture
def contact_a(tree):
    return user_with_role(Role.ENTERPRISE_CONTACT, tree["company"], username="haixi_contact", full_name="郑海涛")


@pytest.fixture
def contact_b(tree):
    return user_with_role(Role.ENTERPRISE_CONTACT, tree["yanqiao"], username="yongshun_contact", full_name="顾卫东")


@pytest.fixture
def enterprise_a(centre, tree, contact_a):
    return services.enterprise_create(
        actor=centre,
        union=tree["company"],
        data={"name": "无锡海溪防腐设备有限公司", **INSURED},
        contacts=[contact_a],
    )


@pytest.fixture
def enterprise_b(centre, tree, contact_b):
    return services.enterprise_create(
        actor=centre,
        union=tree["yanqiao"],
        data={"name": "无锡永舜机械有限公司", **INSURED},
        contacts=[contact_b],
    )


def make_position(actor, season, enterprise, **overrides):
    data = {
        "title": "仓库管理助理",
        "place": "海溪公司成品仓库",
        "places": 1,
        "pay": Decimal("2300"),
        "hours_per_day": 8,
        "safety_class": SafetyClass.NORMAL,
        "min_age": None,
        "school_levels": [],
        "field_of_study": "",
    }
    data.update(overrides)
    return services.position_create(actor=actor, season_id=season.pk, enterprise_id=enterprise.pk, data=data)


def filed_student(union, *, birth: date, tier: str = "extreme", name: str = "蒋晓明", level: str = "senior", **member):
    """A filed household at ``union`` with one student child; the tier is set, not computed."""
    head_id = make_id_number("320206", date(1978, 3, 12), next(_sequence))
    household = Household.objects.create(
        union=union,
        status=Status.FILED,
        tier=tier,
        head_name=f"{name[0]}建华",
        head_id_number=head_id,
        phone="13905100001",
        address="惠山区堰桥街道西漳村 12 号",
        main_cause="serious_illness",
        member_count=2,
    )
    Member.objects.create(
        household=household, relation="self", name=f"{name[0]}建华", id_number=head_id, sex="M",
        birth_date=date(1978, 3, 12), work_status="employed",
    )  # fmt: skip
    values = {"work_status": "student", "school_level": level, **member}
    return Member.objects.create(
        household=household,
        relation="child",
        name=name,
        id_number=make_id_number("320206", birth, next(_sequence)),
        sex="M",
        birth_date=birth,
        position=1,
        **values,
    )


def register(actor, season, member, positions, **details):
    return services.application_register(
        actor=actor,
        season_id=season.pk,
        member_id=member.pk,
        details=services.StudentDetails(**details),
        preferences=[p.pk for p in positions],
    )
