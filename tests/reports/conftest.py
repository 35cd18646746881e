"""A small hand-computed dataset for the dashboard and the returns (today: 2026-11-22).

In 惠山 (the in-scope district):
  H1 filed   特困  患重特大疾病  filed 2025-06-10, 2 people       — on file on 1 Jan
  H2 filed   深度  下岗失业      filed 2026-03-05                 — filed during the year
  H3 exited  相对  患重特大疾病  filed 2024-01-10, 脱困 2026-04-20  — on file on 1 Jan, exits this year
  H4 exited  特困  子女上学      filed 2026-02-01, 解困 2026-09-15  — filed and exits this year
  H5 exited  相对  其他          filed 2023-05-01, 脱困 2025-12-20  — gone before 1 Jan: not in the base
  H6 submitted (never filed)
In 滨湖 (out of scope): H7 filed 特困, filed 2026-05-01, paid 350.
Exit rate 2026 for 惠山: exits 2 ÷ (2 on file on 1 Jan + 2 filed in 2026) = 50.0%.
Money paid in 2026-Q2 for 惠山: 生活补贴 H1 350 (paid) + H2 350 (approved) = 700; 一次性救助 H1 1200
(yearly, in the 2026-Q2 batch) → 1,900.00; H2's 临时价格补贴 150 is still pending and H1's failed
一次性医疗补贴 300 never left the fund: neither counts.
"""

from datetime import date
from decimal import Decimal

import pytest

from cases.models import Household
from cases.services import household_create
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement, Payment, Program
from tests.cases.conftest import grassroots, household_data, person, standard  # noqa: F401

TODAY = date(2026, 11, 22)


def _household(actor, union, *, members=None, **fields):
    household = household_create(actor=actor, union=union, members=members or [person()], data=household_data())
    Household.objects.filter(pk=household.pk).update(**fields)
    household.refresh_from_db()
    return household


def _pay(household, program, period_key, batch, amount, status):
    entitlement = Entitlement.objects.create(household=household, program=program, period_key=period_key,
                                             batch=batch, amount=Decimal(amount), tier=household.tier,
                                             union=household.union)  # fmt: skip
    return Payment.objects.create(entitlement=entitlement, batch=batch, household=household, amount=Decimal(amount),
                                  status=status)  # fmt: skip


@pytest.fixture
def dataset(tree, standard, grassroots):  # noqa: F811 (fixtures imported above)
    from tests.factories import user_with_role

    binhu_staff = user_with_role("grassroots_staff", tree["lihu"])
    company, yanqiao = tree["company"], tree["yanqiao"]
    h = {
        "H1": _household(grassroots, company, members=[person(), person("spouse", "李秀英", work="unemployed")],
                         status="filed", tier="extreme", main_cause="serious_illness", filed_at=date(2025, 6, 10)),
        "H2": _household(grassroots, company, status="filed", tier="deep", main_cause="laid_off",
                         filed_at=date(2026, 3, 5)),
        "H3": _household(grassroots, company, status="exited", tier="relative", main_cause="serious_illness",
                         filed_at=date(2024, 1, 10), exited_at=date(2026, 4, 20), exit_kind="out_of_hardship"),
        "H4": _household(grassroots, company, status="exited", tier="extreme", main_cause="schooling",
                         filed_at=date(2026, 2, 1), exited_at=date(2026, 9, 15), exit_kind="relieved"),
        "H5": _household(grassroots, company, status="exited", tier="relative", main_cause="other",
                         filed_at=date(2023, 5, 1), exited_at=date(2025, 12, 20), exit_kind="out_of_hardship"),
        "H6": _household(grassroots, company, status="submitted"),
        "H7": _household(binhu_staff, tree["lihu"], status="filed", tier="extreme", main_cause="laid_off",
                         filed_at=date(2026, 5, 1)),
    }  # fmt: skip
    # The households above are all in 海溪公司 except H7; H3–H5 moved to 堰桥 for the per-union return.
    Household.objects.filter(pk__in=[h["H3"].pk, h["H4"].pk, h["H5"].pk]).update(union=yanqiao)
    seed_programs(union=tree["city"])
    living, price, once, medical = (Program.objects.get(code=c) for c in ("living", "price", "oneoff", "medical"))
    batch = Batch.objects.create(union=tree["city"], period="2026-Q2", status=Batch.Status.APPROVED)
    _pay(h["H1"], living, "2026-Q2", batch, "350", Payment.Status.PAID)
    _pay(h["H2"], living, "2026-Q2", batch, "350", Payment.Status.APPROVED)
    _pay(h["H2"], price, "2026-Q2", batch, "150", Payment.Status.PENDING)
    _pay(h["H1"], once, "2026", batch, "1200", Payment.Status.EXPORTED)
    _pay(h["H1"], medical, "G1", batch, "300", Payment.Status.FAILED)
    _pay(h["H7"], living, "2026-Q2", batch, "350", Payment.Status.PAID)
    return h
