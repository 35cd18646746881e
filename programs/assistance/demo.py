"""Demo programs with the seeds' Wuxi figures, and a budget for the demo fund."""

from datetime import date
from decimal import Decimal

from cases.models import SchoolLevel, Tier
from hardship.models import Union

from .models import FundAccount, LedgerEntry, Program, ProgramKind, ProgramStandard

FROM = date(2024, 1, 1)
# (code, name, kind, due quarter, living aid, [(tier, school level, amount)])
PROGRAMS = [
    ("living", "生活补贴", ProgramKind.QUARTERLY, None, True, [(Tier.EXTREME, "", "350")]),
    ("price", "临时价格补贴", ProgramKind.MONTHLY, None, True, [(Tier.EXTREME, "", "50")]),
    ("oneoff", "一次性救助", ProgramKind.YEARLY, 4, True, [(Tier.EXTREME, "", "1200")]),
    ("festival", "两节送温暖", ProgramKind.FESTIVAL, 1, False,
     [(Tier.EXTREME, "", "3500"), (Tier.DEEP, "", "3500"), (Tier.RELATIVE, "", "2000")]),
    ("autumn", "金秋助学", ProgramKind.STUDENT_YEARLY, 3, False, [
        (Tier.EXTREME, SchoolLevel.UNIVERSITY, "7500"), (Tier.DEEP, SchoolLevel.UNIVERSITY, "6000"),
        (Tier.RELATIVE, SchoolLevel.UNIVERSITY, "4500"), (Tier.EXTREME, SchoolLevel.SENIOR, "6000"),
        (Tier.DEEP, SchoolLevel.SENIOR, "4500"), (Tier.RELATIVE, SchoolLevel.SENIOR, "3000"),
        (Tier.EXTREME, SchoolLevel.JUNIOR, "3000"), (Tier.EXTREME, SchoolLevel.PRIMARY, "3000"),
        (Tier.DEEP, SchoolLevel.JUNIOR, "2500"), (Tier.DEEP, SchoolLevel.PRIMARY, "2500"),
        (Tier.RELATIVE, SchoolLevel.JUNIOR, "2500"), (Tier.RELATIVE, SchoolLevel.PRIMARY, "2500"),
    ]),
    ("medical", "一次性医疗补贴", ProgramKind.ON_APPLICATION, None, False, []),
]  # fmt: skip


def seed_programs(*, union: Union, actor=None) -> None:
    for code, name, kind, quarter, living, standards in PROGRAMS:
        program, _ = Program.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "fund_union": union, "due_quarter": quarter,
                                 "living_aid": living},
        )  # fmt: skip
        for tier, level, amount in standards:
            ProgramStandard.objects.get_or_create(
                program=program, effective_from=FROM, tier=tier, school_level=level,
                defaults={"amount": Decimal(amount), "note": "无锡市总工会标准（演示）", "created_by": actor},
            )  # fmt: skip
    account, _ = FundAccount.objects.get_or_create(union=union, year=date.today().year)  # noqa: DTZ011
    if not account.entries.exists():
        LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.ALLOCATION, amount=Decimal("500000"),
                                   memo="年度帮扶资金预算（演示）", created_by=actor)  # fmt: skip
