"""Demo households for `seed_demo`: Wuxi's standard and a handful of families, via the services."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.utils import timezone

from hardship.identity import make_card_number, make_id_number
from hardship.models import SocialOrganisation, Union, User

from .crosscheck.models import DEFAULT_BUSINESS_ROLES, DEFAULT_REGISTRIES, FlagRuleSet, Registry
from .models import HardshipStandard, Household, Status, Step
from .review import services as review
from .services import MemberInput, household_create
from .support.models import BenchmarkRate, MutualCoverPlan

# Wuxi's figures, the one copy (the demo, generate_households and the tests use them):
# 特困 line raised from 1140 to 1440 yuan (seeds); 低保 and minimum wage are the demo defaults.
WUXI_STANDARD = {
    "effective_from": date(2024, 7, 1),
    "dibao_monthly": Decimal("1230"),
    "extreme_line_monthly": Decimal("1440"),
    "deep_multiple": Decimal("1.00"),
    "relative_multiple": Decimal("2.00"),
    "sudden_cost_ratio": Decimal("0.80"),
    "minimum_wage_monthly": Decimal("2490"),
}
WUXI_STANDARD_NOTE = "无锡市特困职工认定标准由 1140 元放宽至 1440 元（演示数据）"

# (union code, head, members [(relation, name, birth, sex-seq, work, school, health)], household data)
FAMILIES = [
    (
        "WX-HS-YQ-01",
        [
            ("self", "蒋建华", date(1978, 3, 12), 11, "employed", "", "chronic"),
            ("spouse", "李秀英", date(1980, 6, 2), 22, "unable", "", "uraemia"),
            ("child", "蒋晓明", date(2008, 9, 1), 31, "student", "senior", "healthy"),
        ],
        {
            "incomes": {"蒋建华": {"income_wages": "42000"}},
            "expense_medical": "18000",
            "main_cause": "serious_illness",
            "secondary_causes": ["schooling"],
            "address": "惠山区堰桥街道西漳村 12 号",
        },
    ),
    (
        "WX-HS-YQ-02",
        [
            ("self", "王志强", date(1975, 11, 20), 13, "unemployed", "", "healthy"),
            ("child", "王雨桐", date(2010, 1, 15), 24, "student", "junior", "healthy"),
        ],
        {
            "incomes": {"王志强": {"income_transfer": "9600"}},
            "main_cause": "laid_off",
            "single_parent": True,
            "address": "惠山区堰桥街道锡澄路 88 号",
        },
    ),
    (
        "WX-HS-LS-01",
        [
            ("self", "陈美玲", date(1983, 4, 8), 26, "employed", "", "healthy"),
            ("parent", "陈福根", date(1950, 2, 3), 15, "retired", "", "cancer"),
            ("child", "陈浩", date(2006, 7, 30), 17, "student", "university", "healthy"),
        ],
        {
            "incomes": {"陈美玲": {"income_wages": "54000"}, "陈福根": {"income_pension": "14400"}},
            "expense_medical": "30000",
            "expense_schooling": "8000",
            "main_cause": "serious_illness",
            "secondary_causes": ["schooling"],
            "address": "惠山区洛社镇新开河路 5 号",
        },
    ),
    (
        "WX-BH-LH-01",
        [
            ("self", "赵立新", date(1972, 8, 18), 19, "flexible", "", "healthy"),
            ("spouse", "孙丽", date(1974, 12, 1), 28, "unable", "", "other_serious"),
        ],
        {
            "incomes": {"赵立新": {"income_business": "36000"}},
            "sudden_event_cost": "52000",
            "main_cause": "accident",
            "sudden_event_note": "2026 年 5 月交通事故",
            "address": "滨湖区蠡湖街道青祁路 16 号",
        },
    ),
    (
        "WX-BH-HL-01",
        [
            ("self", "刘海燕", date(1986, 5, 25), 20, "employed", "", "healthy"),
            ("child", "刘子涵", date(2015, 10, 9), 33, "student", "primary", "healthy"),
        ],
        {
            "incomes": {"刘海燕": {"income_wages": "60000"}},
            "main_cause": "other",
            "address": "滨湖区河埒街道梁溪路 200 号",
        },
    ),
]


def seed_households(*, actor: User) -> int:
    root = Union.objects.get(code="WX")
    HardshipStandard.objects.get_or_create(
        union=root,
        effective_from=WUXI_STANDARD["effective_from"],
        defaults={**WUXI_STANDARD, "note": WUXI_STANDARD_NOTE, "created_by": actor},
    )
    created = 0
    for number, (code, people, data) in enumerate(FAMILIES):
        members = [
            MemberInput(
                relation=relation,
                name=name,
                id_number=make_id_number("320206", birth, 100 + number * 10 + seq),
                work_status=work,
                school_level=school,
                health=health,
            )
            for relation, name, birth, seq, work, school, health in people
        ]
        if Household.objects.filter(head_id_number=members[0].id_number).exists():
            continue
        data = dict(data)
        members = with_incomes(members, data.pop("incomes", {}))
        values = {
            "phone": f"1390510{number:04d}",
            "bank_name": "中国工商银行",
            "bank_branch": "无锡分行营业部",
            "bank_card": make_card_number(f"6222021510{number:08d}"),
            "employer": "无锡市某企业",
            **data,
        }
        for key in list(values):
            if key.startswith("expense_") or key == "sudden_event_cost":
                values[key] = Decimal(values[key])
        household_create(actor=actor, union=Union.objects.get(code=code), data=values, members=members)
        created += 1
    return created


def with_incomes(members: list[MemberInput], incomes: dict[str, dict[str, str]]) -> list[MemberInput]:
    """The demo's members with their income by source (name → {source: 元/年})."""
    return [
        replace(m, **{source: Decimal(amount) for source, amount in incomes.get(m.name, {}).items()}) for m in members
    ]


def file_demo_households() -> int:
    """Walk the demo family of 海溪公司 through the whole review chain with the demo users,
    so the demo has filed households for programs. The 公示 wait is skipped (demo only)."""
    users = {u.username: u for u in User.objects.filter(username__in=["centre", "grassroots", "caseworker",
                                                                        "reviewer", "observer"])}  # fmt: skip
    organisation = SocialOrganisation.objects.first()
    filed = 0
    for household in Household.objects.filter(status=Status.DRAFT, union__code="WX-HS-YQ-01"):
        visit = review.VisitInput(
            visited_on=timezone.localdate(), living_conditions="老旧住房，家中有重病病人", findings="情况属实",
            address_confirmed=True, observer=users["observer"],
        )  # fmt: skip
        review.household_submit(actor=users["centre"], household_id=household.pk)
        review.visit_record(actor=users["caseworker"], household_id=household.pk, step=Step.FIRST, visit=visit)
        review.first_review_decide(actor=users["grassroots"], household_id=household.pk, decision="approve",
                                   text="经入户核实，符合条件")  # fmt: skip
        review.second_review_assign(actor=users["centre"], household_id=household.pk, organisation=organisation)
        review.visit_record(actor=users["reviewer"], household_id=household.pk, step=Step.SECOND, visit=visit)
        review.second_review_decide(actor=users["reviewer"], household_id=household.pk, decision="approve",
                                    text="复审属实")  # fmt: skip
        # The notice is moved whole into the past (its start too: a notice ending before it began reads as a bug).
        yesterday = timezone.localdate() - timezone.timedelta(days=1)
        Household.objects.filter(pk=household.pk).update(notice_start=yesterday - timezone.timedelta(days=6),
                                                         notice_end=yesterday)  # fmt: skip
        review.household_file(actor=users["centre"], household_id=household.pk)
        filed += 1
    return filed


# The seeds' Wuxi plans (市总工会: 一年期职工“住院+重疾+意外”互助保障, and the free 住院慰问金 for members).
COVER_PLANS = ["一年期职工“住院+重疾+意外”互助保障", "工会会员住院慰问金保障（免费）"]


# The loan benchmark for 创业贷 interest subsidies: the one-year 贷款市场报价利率 (LPR), 3.0% from
# 2025-05-20 (the last change before the demo's date). Without a rate the subsidy cannot be computed.
DEMO_BENCHMARK_RATE = {"effective_from": date(2025, 5, 20), "rate_percent": Decimal("3.00")}


def seed_cover_plans() -> None:
    """The 互助保障 plans and the loan benchmark rate: help beyond cash works in the demo at once."""
    for name in COVER_PLANS:
        MutualCoverPlan.objects.get_or_create(name=name)
    BenchmarkRate.objects.get_or_create(
        effective_from=DEMO_BENCHMARK_RATE["effective_from"],
        defaults={"rate_percent": DEMO_BENCHMARK_RATE["rate_percent"]},
    )


def seed_crosscheck(*, union) -> None:
    """信息比对: the registries and the city's flag rules (Wuxi's 2024 average floor area per person, 40 m²)."""
    for code, name, kind, request_columns, result_columns in DEFAULT_REGISTRIES:
        Registry.objects.get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                            "request_columns": request_columns,
                                                            "result_columns": result_columns})  # fmt: skip
    defaults = {
        "average_area": Decimal("40"),
        "business_roles": DEFAULT_BUSINESS_ROLES,
        "note": "演示：当地人均住房面积",
    }
    FlagRuleSet.objects.get_or_create(union=union, effective_from=date(2024, 1, 1), defaults=defaults)
