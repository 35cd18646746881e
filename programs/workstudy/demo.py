"""Demo data for 关爱·圆梦 (called by `seed_demo`): the 2026 寒假 at 无锡市总工会, caring enterprises
from the seeds, positions with real-looking figures and students from filed demo households.

Idempotent: a second run finds everything and adds nothing. The season is left
open, so the demo users can register more students, run the matching and publish.
"""

from datetime import date
from decimal import Decimal

from django.db import transaction

from cases.demo import with_incomes
from cases.models import Household, Member, Status
from cases.services import MemberInput, household_create
from hardship.identity import make_card_number, make_id_number
from hardship.models import Union, User
from hardship.services import audit_record

from . import services
from .models import Application, Enterprise, Position, SafetyClass, Season, Term
from .workflow import SEASON_EDITABLE

SEASON = {"year": 2026, "term": Term.WINTER, "starts_on": date(2026, 1, 26), "ends_on": date(2026, 2, 27)}

# (name, union code, contact login, agreement, insurance)
ENTERPRISES = [
    ("无锡海溪防腐设备有限公司", "WX-HS-YQ-01", "enterprise", "郑海涛", "0510-83390001"),
    ("无锡永舜机械有限公司", "WX-HS-LS", None, "顾卫东", "0510-83390002"),
    ("无锡安井食品有限公司", "WX-HS", None, "沈丽", "0510-83390003"),
]
INSURANCE = {
    "agreement_signed_on": date(2025, 12, 18),
    "insurer": "中国人民财产保险股份有限公司无锡市分公司",
    "insurance_valid_from": date(2026, 1, 1),
    "insurance_valid_until": date(2026, 12, 31),
}

HAIXI, YONGSHUN, ANJING = (e[0] for e in ENTERPRISES)
ADULTS, NORMAL = SafetyClass.ADULTS_ONLY, SafetyClass.NORMAL
# (enterprise, title, place, places, pay 元/月, hours a day, safety, min age, school levels, field of study)
POSITIONS = [
    (HAIXI, "防腐涂装辅助工", "堰桥街道 海溪公司二车间", 2, "2600", 8, ADULTS, None, [], "化工、机械类"),
    (HAIXI, "仓库管理助理", "海溪公司成品仓库", 2, "2300", 8, NORMAL, None, ["senior", "university"], ""),
    (HAIXI, "行政文员助理", "海溪公司综合办公室", 1, "2100", 6, NORMAL, None, [], "文秘、计算机类优先"),
    (YONGSHUN, "数控车间学徒", "钱桥 永舜公司数控车间", 2, "2800", 8, NORMAL, 18, ["university"], "机械、数控类"),
    (ANJING, "食品成型包装工", "安井公司包装车间", 5, "2500", 8, NORMAL, None, [], ""),
]

# Work-study families (filed for the demo): (union code, members, household data)
FAMILIES = [
    ("WX-HS-YQ-02", [("self", "王建平", date(1974, 2, 9), 11, "flexible", ""),
                     ("child", "王小琪", date(2007, 5, 16), 22, "student", "university")],
     {"incomes": {"王建平": {"income_business": "24000"}}, "main_cause": "serious_illness",
      "address": "惠山区钱桥街道盛岸路 21 号"}),
    ("WX-HS-LS-01", [("self", "吴永福", date(1976, 8, 30), 13, "employed", ""),
                     ("spouse", "钱小红", date(1978, 3, 3), 24, "employed", ""),
                     ("child", "吴佳怡", date(2010, 1, 26), 26, "student", "senior")],
     {"incomes": {"吴永福": {"income_wages": "40000"}, "钱小红": {"income_wages": "30000"}},
      "main_cause": "schooling", "address": "惠山区洛社镇杨市路 6 号"}),
    ("WX-BH-HL-01", [("self", "周秀兰", date(1979, 12, 1), 28, "employed", ""),
                     ("child", "周子豪", date(2008, 11, 3), 31, "student", "senior"),
                     ("child", "周子涵", date(2010, 1, 27), 42, "student", "junior")],
     {"incomes": {"周秀兰": {"income_wages": "48000"}}, "main_cause": "other", "single_parent": True,
      "address": "滨湖区河埒街道湖滨路 9 号"}),
]  # fmt: skip

# Who applies, and their ranked positions (by title). 周子豪 is left for a demo user to register.
APPLICATIONS = {
    "王小琪": (["数控车间学徒", "行政文员助理", "仓库管理助理"], "江南大学", "机械工程"),
    "吴佳怡": (["行政文员助理", "仓库管理助理", "食品成型包装工"], "无锡旅游商贸高等职业技术学校", "会计"),
    "蒋晓明": (["仓库管理助理", "食品成型包装工"], "无锡机电高等职业技术学校", "机电一体化"),
    "陈浩": (["数控车间学徒", "防腐涂装辅助工"], "无锡职业技术学院", "数控技术"),
}
OUTSTANDING = [
    ("张一鸣", date(2005, 4, 12), "university", "东北大学", "自动化", ["行政文员助理", "食品成型包装工"]),
    ("刘思彤", date(2006, 9, 20), "university", "江南大学", "食品科学", ["食品成型包装工"]),
    ("李顺辉", date(2005, 11, 8), "university", "兰州理工大学", "材料成型", ["行政文员助理"]),
]


@transaction.atomic
def seed_workstudy(*, actor: User) -> Season:
    unions = {u.code: u for u in Union.objects.all()}
    enterprises = {}
    for name, code, login, contact, phone in ENTERPRISES:
        enterprise = Enterprise.objects.filter(name=name).first()
        if enterprise is None:
            contacts = list(User.objects.filter(username=login)) if login else []
            number = len(enterprises) + 1
            data = {
                "contact_name": contact,
                "contact_phone": phone,
                "agreement_number": f"GAYM-2026-{number:03d}",
                "insurance_policy": f"PICC-WX-2026-{number + 117:04d}",
                "address": "无锡市惠山区",
                **INSURANCE,
            }
            enterprise = services.enterprise_create(
                actor=actor, union=unions[code], data={"name": name, **data}, contacts=contacts
            )
        enterprises[name] = enterprise

    season = Season.objects.filter(union=unions["WX"], year=SEASON["year"], term=SEASON["term"]).first()
    if season is None:
        season = services.season_create(actor=actor, union=unions["WX"], note="演示数据：2026 年寒假", **SEASON)
    positions = {}
    for ent, title, place, places, pay, hours, safety, min_age, levels, field in POSITIONS:
        position = Position.objects.filter(season=season, enterprise=enterprises[ent], title=title).first()
        if position is None and season.status in SEASON_EDITABLE:
            data = {
                "title": title,
                "place": place,
                "places": places,
                "pay": Decimal(pay),
                "hours_per_day": hours,
                "safety_class": safety,
                "min_age": min_age,
                "school_levels": levels,
                "field_of_study": field,
            }
            position = services.position_create(
                actor=actor, season_id=season.pk, enterprise_id=enterprises[ent].pk, data=data
            )
        positions[title] = position

    _seed_families(actor)
    if season.status not in SEASON_EDITABLE:
        return season
    for name, (titles, school, major) in APPLICATIONS.items():
        member = Member.objects.filter(name=name, is_live=True, household__status=Status.FILED).first()
        if member is None or Application.objects.filter(season=season, id_number=member.id_number).exists():
            continue  # not filed (yet): the household is still in review
        services.application_register(
            actor=actor,
            season_id=season.pk,
            member_id=member.pk,
            details=services.StudentDetails(school_name=school, major=major),
            preferences=[positions[t].pk for t in titles],
        )
    for number, (name, birth, level, school, major, titles) in enumerate(OUTSTANDING):
        id_number = make_id_number("210102", birth, 500 + number * 2)
        if Application.objects.filter(season=season, id_number=id_number).exists():
            continue
        services.application_register_outstanding(
            actor=actor,
            season_id=season.pk,
            union=unions["WX-HS"],
            name=name,
            id_number=id_number,
            school_level=level,
            details=services.StudentDetails(school_name=school, major=major, phone=f"1381234{number:04d}"),
            preferences=[positions[t].pk for t in titles],
        )
    return season


def _seed_families(actor: User) -> None:
    """Three work-study families, filed for the demo (the review workflow is not part of this demo)."""
    for number, (code, people, data) in enumerate(FAMILIES):
        members = [
            MemberInput(
                relation=relation,
                name=name,
                id_number=make_id_number("320206", birth, 700 + number * 10 + seq),
                work_status=work,
                school_level=school,
            )
            for relation, name, birth, seq, work, school in people
        ]
        if Household.objects.filter(head_id_number=members[0].id_number).exists():
            continue
        data = dict(data)
        members = with_incomes(members, data.pop("incomes", {}))
        values = {
            "phone": f"1390511{number:04d}",
            "bank_name": "中国工商银行",
            "bank_branch": "无锡分行营业部",
            "bank_card": make_card_number(f"6222021511{number:08d}"),
            "employer": "无锡市某企业",
            **data,
        }
        for key in list(values):
            if key.startswith("expense_"):
                values[key] = Decimal(values[key])
        household = household_create(actor=actor, union=Union.objects.get(code=code), data=values, members=members)
        Household.objects.filter(pk=household.pk).update(status=Status.FILED)
        audit_record(
            actor=actor,
            verb="household.demo_filed",
            target=household,
            changes={"status": (Status.DRAFT, Status.FILED)},
        )
