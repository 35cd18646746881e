"""Demo data for 关爱·圆梦 (called by `seed_demo`): the coming vacation (寒假 or 暑假) at 无锡市总工会,
caring enterprises from the seeds, positions with real-looking figures and students from filed demo
households.

The season is the next vacation that has not begun on the day the demo is seeded, so a trial of the
portal always finds an open season to work in, never one already over. The students' birth dates are
set against that season's first day, so the rules stay visible whatever the year: 吴佳怡 turns 16 on
the first day (eligible), 周子涵 the day after (not yet), 周子豪 is 17 (a minor: health check required).

Idempotent: a second run finds everything and adds nothing. The season is left
open, so the demo users can register more students, run the matching and publish.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cases.demo import with_incomes
from cases.models import Household, Member, Status
from cases.services import MemberInput, household_create
from hardship.identity import make_card_number, make_id_number
from hardship.models import Union, User
from hardship.services import audit_record

from . import services
from .models import Application, Enterprise, Position, SafetyClass, Season, Term
from .workflow import SEASON_EDITABLE


def coming_vacation(today: date) -> dict:
    """The next 寒假 or 暑假 that has not begun on ``today`` (Wuxi's usual dates: 寒假 from the last
    Monday of January for about five weeks, 暑假 from the first Monday of July to the end of August)."""

    def winter(year):
        starts = date(year, 1, 31)
        starts -= timedelta(days=starts.weekday())  # the last Monday of January
        return {"year": year, "term": Term.WINTER, "starts_on": starts, "ends_on": starts + timedelta(days=32)}

    def summer(year):
        starts = date(year, 7, 1)
        starts += timedelta(days=(7 - starts.weekday()) % 7)  # the first Monday of July
        return {"year": year, "term": Term.SUMMER, "starts_on": starts, "ends_on": date(year, 8, 28)}

    for season in (winter(today.year), summer(today.year), winter(today.year + 1)):
        if season["starts_on"] > today:
            return season
    raise AssertionError("unreachable: next January always comes")


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February falls back to the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def season_dates(today: date | None = None) -> dict:
    """The demo season with the enterprises' agreement and insurance dates around it."""
    season = coming_vacation(today or timezone.localdate())
    starts = season["starts_on"]
    insurance = {
        "agreement_signed_on": starts - timedelta(days=39),
        "insurer": "中国人民财产保险股份有限公司无锡市分公司",
        # a year's cover from the first of the season's month
        "insurance_valid_from": starts.replace(day=1),
        "insurance_valid_until": _years_before(starts.replace(day=1), -1) - timedelta(days=1),
    }
    births = {
        "吴佳怡": _years_before(starts, 16),
        "周子涵": _years_before(starts, 16) + timedelta(days=1),
        "周子豪": _years_before(starts, 17) - timedelta(days=83),
    }
    return {"season": season, "insurance": insurance, "births": births}


# (name, union code, contact login, agreement, insurance)
ENTERPRISES = [
    ("无锡海溪防腐设备有限公司", "WX-HS-YQ-01", "enterprise", "郑海涛", "0510-83390001"),
    ("无锡永舜机械有限公司", "WX-HS-LS", None, "顾卫东", "0510-83390002"),
    ("无锡安井食品有限公司", "WX-HS", None, "沈丽", "0510-83390003"),
]

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

# Work-study families (filed for the demo): (union code, members, household data); a birth given as a
# name is set against the coming season (season_dates)
FAMILIES = [
    ("WX-HS-YQ-02", [("self", "王建平", date(1974, 2, 9), 11, "flexible", ""),
                     ("child", "王小琪", date(2007, 5, 16), 22, "student", "university")],
     {"incomes": {"王建平": {"income_business": "24000"}}, "main_cause": "serious_illness",
      "address": "惠山区钱桥街道盛岸路 21 号"}),
    ("WX-HS-LS-01", [("self", "吴永福", date(1976, 8, 30), 13, "employed", ""),
                     ("spouse", "钱小红", date(1978, 3, 3), 24, "employed", ""),
                     ("child", "吴佳怡", "吴佳怡", 26, "student", "senior")],
     {"incomes": {"吴永福": {"income_wages": "40000"}, "钱小红": {"income_wages": "30000"}},
      "main_cause": "schooling", "address": "惠山区洛社镇杨市路 6 号"}),
    ("WX-BH-HL-01", [("self", "周秀兰", date(1979, 12, 1), 28, "employed", ""),
                     ("child", "周子豪", "周子豪", 31, "student", "senior"),
                     ("child", "周子涵", "周子涵", 42, "student", "junior")],
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
def seed_workstudy(*, actor: User, today: date | None = None) -> Season:
    dates = season_dates(today)
    SEASON, INSURANCE = dates["season"], dates["insurance"]  # noqa: N806 (read like the constants they were)
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
                "agreement_number": f"GAYM-{SEASON['year']}-{number:03d}",
                "insurance_policy": f"PICC-WX-{SEASON['year']}-{number + 117:04d}",
                "address": "无锡市惠山区",
                **INSURANCE,
            }
            enterprise = services.enterprise_create(
                actor=actor, union=unions[code], data={"name": name, **data}, contacts=contacts
            )
        enterprises[name] = enterprise

    season = Season.objects.filter(union=unions["WX"], year=SEASON["year"], term=SEASON["term"]).first()
    if season is None:
        season = services.season_create(
            actor=actor, union=unions["WX"], note=f"演示数据：{SEASON['year']} 年{Term(SEASON['term']).label}", **SEASON
        )
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

    _seed_families(actor, dates["births"])
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


def _seed_families(actor: User, births: dict[str, date]) -> None:
    """Three work-study families, filed for the demo (the review workflow is not part of this demo)."""
    for number, (code, people, data) in enumerate(FAMILIES):
        members = [
            MemberInput(
                relation=relation,
                name=name,
                id_number=make_id_number("320206", births.get(birth, birth), 700 + number * 10 + seq),
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
