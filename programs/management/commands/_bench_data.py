"""Set-based bench data: N filed households (one INSERT … SELECT over generate_series), and a computed
batch paying each of them once (two more), in seconds where the Python generator would take an hour.

Bench households carry file numbers ``BENCH-<n>`` and are reused by the next run; each bench batch
gets a period of its own (2100-Q4 downwards), since approved payments and ledger rows are never deleted.
"""

import io

from django.core.management import call_command
from django.db import connection

from cases.models import Household
from hardship.models import RoleAssignment, Union, User
from programs.assistance.models import Batch, Program

PREFIX = "BENCH-"
BANKS = ["中国工商银行", "中国建设银行", "中国农业银行"]


def bench_fund() -> Union:
    if not Union.objects.filter(code="WX").exists():
        call_command("seed_demo", stdout=io.StringIO())
    return Union.objects.get(code="WX")


def bench_user(username: str, role: str, union: Union) -> User:
    user, _created = User.objects.get_or_create(username=username, defaults={"full_name": username})
    RoleAssignment.objects.get_or_create(user=user, union=union, role=role)
    return User.objects.get(pk=user.pk)


def ensure_households(count: int, fund: Union) -> int:
    """At least ``count`` bench households, filed 特困, spread over the fund's grassroots unions."""
    have = Household.objects.filter(file_number__startswith=PREFIX).count()
    if have >= count:
        return have
    unions = list(
        Union.objects.filter(path__startswith=fund.path, level=Union.Level.GRASSROOTS).values_list("id", flat=True)
    ) or [fund.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_household (status, file_number, head_name, head_id_number, phone, employer, "
            "hukou_location, address, housing, expense_medical, expense_disability, expense_schooling, "
            "expense_housing, sudden_event_cost, sudden_event_note, main_cause, secondary_causes, single_parent, "
            "bank_name, bank_branch, bank_card, bank_card_luhn_ok, member_count, imputed_members, annual_income, "
            "per_capita_income, tier, version, created_at, updated_at, union_id, exit_kind, exit_reason, filed_at) "
            "SELECT 'filed', %s || g, '职工' || g, '320206' || lpad(g::text, 12, '0'), "
            "'139' || lpad((g %% 100000000)::text, 8, '0'), '', '', '无锡市' || g || '号', '', 0, 0, 0, 0, 0, '', "
            "'serious_illness', '[]'::jsonb, false, (%s::text[])[1 + g %% 3], '', '6222' || lpad(g::text, 15, '0'), "
            "true, 3, 0, 18000, 500, 'extreme', 1, now(), now(), (%s::bigint[])[1 + g %% %s], '', '', '2026-01-05' "
            "FROM generate_series(%s, %s) AS g",
            [PREFIX, BANKS, unions, len(unions), have + 1, count],
        )
        cursor.execute("ANALYZE cases_household")
    return count


def _free_period(fund: Union) -> str:
    used = set(Batch.objects.filter(union=fund).values_list("period", flat=True))
    for year in range(2100, 2049, -1):  # the latest periods the portal accepts, downwards
        for quarter in (4, 3, 2, 1):
            if f"{year}-Q{quarter}" not in used:
                return f"{year}-Q{quarter}"
    raise RuntimeError("no bench period left")


def computed_batch(*, fund: Union, households: int, starter: User) -> Batch:
    """A 待审批 batch of a period of its own paying ``households`` bench households 350.00 each (one program).

    One left 待审批 by an interrupted run with as many payments is taken again."""
    for left in Batch.objects.filter(union=fund, created_by=starter, status=Batch.Status.COMPUTED):
        if left.payments.filter(status="pending").count() == households:
            return left
    batch = Batch.objects.create(union=fund, period=_free_period(fund), created_by=starter,
                                 status=Batch.Status.COMPUTED)  # fmt: skip
    program = Program.objects.filter(fund_union=fund).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO programs_entitlement (household_id, program_id, period_key, batch_id, amount, tier, "
            "union_id, detail, awaiting_payment, failed_card, created_at) "
            "SELECT h.id, %s, %s, %s, 350, h.tier, h.union_id, '', false, '', now() FROM cases_household h "
            "WHERE h.file_number LIKE %s ORDER BY h.id LIMIT %s",
            [program.pk, batch.period, batch.pk, PREFIX + "%", households],
        )
        cursor.execute(
            "INSERT INTO programs_payment (entitlement_id, batch_id, household_id, amount, status, payee_name, "
            "bank_name, card_number, failure_reason) "
            "SELECT e.id, e.batch_id, e.household_id, e.amount, 'pending', '', '', '', '' "
            "FROM programs_entitlement e WHERE e.batch_id = %s ORDER BY e.id",
            [batch.pk],
        )
        cursor.execute("ANALYZE programs_entitlement")
        cursor.execute("ANALYZE programs_payment")
    return batch
