"""The quarterly batch: compute every eligible filed household's entitlements for a period.

Set-based and idempotent:
- one ``INSERT … SELECT`` per id range for every due program at once, inserting the
  entitlements and their payments in one statement (chunks by household id, never
  OFFSET, never every id in Python memory); pairs already entitled are skipped;
- the unique constraint on (household, program, period) makes a second run, a
  run on two workers at once, or a run after a crash produce the same rows;
- the run holds a lock (a token and a heartbeat on the batch row), released
  when the run ends, fails or is killed and goes stale; staff may release it;
- a household is owed for a quarter only if it was filed on or before the
  quarter's last day and had not exited before its first (``owed_for`` and its SQL
  twin in ``Plan``); a monthly item counts the months of the quarter it was filed.
"""

import logging
import time
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Flag, FlagStatus, Household, Status, Tier, WorkStatus
from cases.selectors import standard_in_force
from hardship.metrics import batch_observed
from hardship.models import Union, User
from hardship.money import money
from hardship.services import audit_record

from .models import Batch, Entitlement, Grant, Payment, Program, ProgramKind, ProgramStandard
from .periods import Quarter, months_of, parse_quarter
from .workflow import COMPUTE_FROM, GRANT_SCHEDULABLE, batch_workflow, stale_after

log = logging.getLogger(__name__)


def chunk_ids() -> int:
    return settings.BATCH_CHUNK_IDS


class BatchBusy(Exception):
    """Another run holds the lock of this batch."""


@dataclass(frozen=True)
class RunResult:
    eligible: int
    created: int
    skipped: int
    total_amount: Decimal

    def as_dict(self) -> dict:
        return {"eligible": self.eligible, "created": self.created, "skipped": self.skipped,
                "total_amount": str(self.total_amount)}  # fmt: skip


def owed_for(quarter: Quarter) -> Q:
    """The households owed for ``quarter`` (before tier and scope): filed on or before its last day and
    not exited before its first. A file with no 建档 date (imported records) counts as filed before any period.

    ``Plan`` holds the same rule in SQL (``_OWED``); tests/programs keep the two in agreement."""
    return (Q(status=Status.FILED) | Q(status=Status.EXITED, exited_at__gte=quarter.start)) & (
        Q(filed_at__isnull=True) | Q(filed_at__lte=quarter.end)
    )


# The same rule for one household row (alias h) of the batch's SQL, and per month for monthly items.
_OWED = "(h.status = %s OR (h.status = %s AND h.exited_at >= %s)) AND (h.filed_at IS NULL OR h.filed_at <= %s)"
_ON_FILE_IN_MONTH = (
    "CASE WHEN (h.filed_at IS NULL OR h.filed_at <= %s) AND (h.exited_at IS NULL OR h.exited_at >= %s) "
    "THEN 1 ELSE 0 END"
)


def _owed_params(quarter: Quarter) -> list:
    return [Status.FILED, Status.EXITED, quarter.start, quarter.end]


def _months_filed_sql(quarter: Quarter) -> tuple[str, list]:
    """How many months of ``quarter`` the household was on file (0–3)."""
    params: list = []
    for first, last in months_of(quarter):
        params += [last, first]
    return "(" + " + ".join([_ON_FILE_IN_MONTH] * 3) + ")", params


def due_programs(union: Union, quarter: Quarter) -> list[tuple[Program, str]]:
    """(program, period key) of every periodic program of the fund due in ``quarter``."""
    due = []
    for program in Program.objects.filter(fund_union=union, is_active=True).order_by("id"):
        if program.kind in (ProgramKind.QUARTERLY, ProgramKind.MONTHLY):
            due.append((program, quarter.key))
        elif (
            program.kind in (ProgramKind.YEARLY, ProgramKind.FESTIVAL, ProgramKind.STUDENT_YEARLY)
            and program.due_quarter == quarter.quarter
        ):
            due.append((program, str(quarter.year)))
    return due


def standards_in_force(program: Program, on) -> dict[tuple[str, str], Decimal]:
    """(tier, school level) → amount, from the latest record of each in force on ``on``."""
    amounts: dict[tuple[str, str], Decimal] = {}
    for std in ProgramStandard.objects.filter(program=program, effective_from__lte=on).order_by("effective_from"):
        amounts[(std.tier, std.school_level)] = std.amount
    return {key: value for key, value in amounts.items() if value > 0}


# SQL building blocks (PostgreSQL and SQLite).


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _greatest(a: str, b: str) -> str:
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def _case_by_tier(amounts: dict[str, Decimal], column: str = "h.tier") -> tuple[str, list]:
    if not amounts:
        return "0", []
    whens = " ".join("WHEN %s THEN CAST(%s AS NUMERIC)" for _ in amounts)
    params: list = []
    for tier, amount in amounts.items():
        params += [tier, amount]
    return f"(CASE {column} {whens} ELSE 0 END)", params


def _amount_sql(program: Program, amounts: dict[tuple[str, str], Decimal], quarter: Quarter) -> tuple[str, list]:
    """One household's amount for ``program`` before the yearly cap (alias h = household)."""
    if program.kind == ProgramKind.STUDENT_YEARLY:
        whens, params = [], []
        for (tier, level), amount in amounts.items():
            whens.append("WHEN h.tier = %s AND m.school_level = %s THEN CAST(%s AS NUMERIC)")
            params += [tier, level, amount]
        if not whens:
            return "0", []
        expression = (
            f"(SELECT COALESCE(SUM(CASE {' '.join(whens)} ELSE 0 END), 0) FROM cases_member m "
            "WHERE m.household_id = h.id AND m.is_live AND m.work_status = %s AND m.school_level <> '')"
        )
        return expression, [*params, WorkStatus.STUDENT]
    per_tier = {tier: amount for (tier, level), amount in amounts.items() if level == ""}
    expression, params = _case_by_tier(per_tier)
    if program.kind == ProgramKind.MONTHLY:
        months, month_params = _months_filed_sql(quarter)  # the months it was on file, paid with the quarter
        expression, params = f"({expression} * {months})", [*params, *month_params]
    return expression, params


@dataclass(frozen=True)
class Plan:
    """The SQL of one batch: every due program's amount, computed for one id range at a time."""

    select: str  # (hid, program_id, period_key, tier, union_id, no_card, value) of every new entitlement
    params_head: list  # the parameters before the id range's two, and after them
    params_tail: list

    @classmethod
    def build(cls, *, due: list[tuple[Program, str]], on, quarter: Quarter, cap_per_person: Decimal | None,
              path: str) -> "Plan":  # fmt: skip
        rows, row_params, raw_whens, raw_params = [], [], [], []
        living_due = False
        for order, (program, key) in enumerate(due):
            sql, params = _amount_sql(program, standards_in_force(program, on), quarter)
            living = bool(program.living_aid and cap_per_person is not None)
            living_due = living_due or living
            rows.append("SELECT %s AS program_id, %s AS period_key, %s AS ord, %s AS living")
            row_params += [program.pk, key, order, living]
            raw_whens.append(f"WHEN %s THEN {sql}")
            raw_params += [program.pk, *params]
        if not rows:
            return cls(select="", params_head=[], params_tail=[])
        # The year's 生活救助 already owed (earlier quarters, or this one's before an interruption).
        if living_due:
            already = (
                "(SELECT COALESCE(SUM(e.amount), 0) FROM programs_entitlement e JOIN programs_program p "
                "ON p.id = e.program_id WHERE e.household_id = h.id AND p.living_aid "
                "AND (e.period_key = %s OR e.period_key LIKE %s))"
            )
            room, room_params = f"(CAST(%s AS NUMERIC) * h.member_count - {already})", [
                cap_per_person, str(quarter.year), f"{quarter.year}-Q%"]  # fmt: skip
        else:
            room, room_params = "0", []
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""  # evaluate each subquery once
        # Inside one household, living-aid programs fill the room in program order: each gets
        # LEAST(its amount, what the earlier ones left), the earlier ones' raw amounts summed by a window.
        earlier_sql = ("COALESCE(SUM(CASE WHEN c.living THEN c.raw ELSE 0 END) OVER (PARTITION BY c.hid ORDER BY c.ord "
                  "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)")  # fmt: skip
        capped = f"CASE WHEN c.living THEN {_least('c.raw', _greatest(f'c.room - {earlier_sql}', '0'))} ELSE c.raw END"
        select = (
            f"SELECT c.hid, c.program_id, c.period_key, c.tier, c.union_id, c.no_card, {capped} AS value FROM ("
            "  SELECT h.hid, h.tier, h.union_id, h.no_card, h.room, d.program_id, d.period_key, d.ord, d.living,"
            f"   CASE d.program_id {' '.join(raw_whens)} ELSE 0 END AS raw"
            f"  FROM (SELECT h.id AS hid, h.id, h.tier, h.union_id, h.member_count, h.bank_card = '' AS no_card,"
            f"    h.filed_at, h.exited_at, {room} AS room FROM cases_household h"
            f"    WHERE h.id >= %s AND h.id < %s AND {_OWED} AND h.tier <> %s"
            f"    AND h.union_id IN (SELECT u.id FROM hardship_union u WHERE u.path LIKE %s)"
            # Held: a household with an open cross-check flag is not paid until the flag is decided.
            f"    AND NOT EXISTS (SELECT 1 FROM {Flag._meta.db_table} fl WHERE fl.household_id = h.id"
            f"                    AND fl.status = %s){fence}) h"
            f"  CROSS JOIN ({' UNION ALL '.join(rows)}) d"
            # Already entitled (an earlier or interrupted run): skipped by one index probe. Should two
            # runs ever race past the lock, the unique constraint refuses the second row and that run fails.
            "  WHERE NOT EXISTS (SELECT 1 FROM programs_entitlement x WHERE x.household_id = h.hid"
            "                    AND x.period_key = d.period_key AND x.program_id = d.program_id)"
            ") c"
        )
        return cls(
            select=f"SELECT * FROM ({select}) v WHERE v.value > 0",
            params_head=[*raw_params, *room_params],
            params_tail=[*_owed_params(quarter), Tier.NONE, f"{path}%", FlagStatus.OPEN, *row_params],
        )

    def params(self, lo: int, hi: int) -> list:
        return [*self.params_head, lo, hi, *self.params_tail]


PAYMENT_COLUMNS = ("entitlement_id, batch_id, household_id, amount, status, payee_name, bank_name, card_number, "
                   "failure_reason")  # fmt: skip


def _insert_entitlements(*, batch: Batch, plan: Plan, lo: int, hi: int, now) -> int:
    """Every due program's entitlements for one id range in one statement, and — in the same
    transaction — a payment for each one whose household has a card (the others wait, marked
    ``awaiting_payment``)."""
    insert = (
        "INSERT INTO programs_entitlement (household_id, program_id, period_key, batch_id, amount, tier, "
        "union_id, detail, awaiting_payment, failed_card, created_at) "
        f"SELECT n.hid, n.program_id, n.period_key, %s, n.value, n.tier, n.union_id, '', n.no_card, '', %s "
        f"FROM ({plan.select}) n"
    )
    params = [batch.pk, now, *plan.params(lo, hi)]
    pay = "SELECT id, %s, household_id, amount, %s, '', '', '', '' FROM {source} WHERE NOT awaiting_payment"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _no_jit(cursor)
            cursor.execute(
                f"WITH ent AS ({insert} RETURNING id, household_id, amount, awaiting_payment), "
                f"paid AS (INSERT INTO programs_payment ({PAYMENT_COLUMNS}) {pay.format(source='ent')} RETURNING 1) "
                "SELECT (SELECT COUNT(*) FROM ent)",
                [*params, batch.pk, Payment.Status.PENDING],
            )
            return cursor.fetchone()[0]
        cursor.execute(insert, params)
        created = cursor.rowcount
        fresh = ("(SELECT e.* FROM programs_entitlement e WHERE e.batch_id = %s AND e.household_id >= %s "
                 "AND e.household_id < %s AND NOT EXISTS "
                 "(SELECT 1 FROM programs_payment x WHERE x.entitlement_id = e.id)) fresh")  # fmt: skip
        cursor.execute(f"INSERT INTO programs_payment ({PAYMENT_COLUMNS}) {pay.format(source=fresh)}",
                       [batch.pk, Payment.Status.PENDING, batch.pk, lo, hi])  # fmt: skip
        return created


def _no_jit(cursor) -> None:
    """Short set-based statements: compiling them with JIT costs more than it saves."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off")


def _insert_grant_entitlements(*, batch: Batch, path: str, now) -> int:
    """Approved one-off grants of households in the fund's scope join this batch (each move audited)."""
    grants = Grant.objects.select_for_update(of=("self",)).filter(
        status__in=GRANT_SCHEDULABLE, program__fund_union=batch.union,
        household__status=Status.FILED, household__union__path__startswith=path,
    )  # fmt: skip
    created = 0
    for grant in grants.select_related("household__union", "program"):
        _, made = Entitlement.objects.get_or_create(
            household=grant.household, program=grant.program, period_key=grant.period_key,
            defaults={"batch": batch, "amount": grant.amount, "tier": grant.household.tier,
                      "union_id": grant.household.union_id, "detail": grant.reason[:200]},
        )  # fmt: skip
        grant_move(grant=grant, to=Grant.Status.SCHEDULED, actor=batch.created_by, verb="grant.schedule", batch=batch)
        created += int(made)
    return created


def _insert_payments(*, batch: Batch, lo: int, hi: int) -> int:
    """A payment for every entitlement of this fund still awaiting one — held for want of a card, or
    failed at the bank with the household's card corrected since (re-issue) — then mark them."""
    select = (
        "SELECT e.id, %s, e.household_id, e.amount, %s, '', '', '', '' FROM programs_entitlement e "
        "JOIN cases_household h ON h.id = e.household_id "
        "WHERE e.awaiting_payment AND e.household_id >= %s AND e.household_id < %s "
        "AND e.program_id IN (SELECT id FROM programs_program WHERE fund_union_id = %s) "
        "AND h.bank_card <> '' AND h.bank_card <> e.failed_card"
    )
    insert = (
        f"INSERT INTO programs_payment ({PAYMENT_COLUMNS}) {select} "
        "ON CONFLICT (entitlement_id) WHERE status NOT IN ('failed', 'cancelled') DO NOTHING"
    )
    params = [batch.pk, Payment.Status.PENDING, lo, hi, batch.union_id]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _no_jit(cursor)
            cursor.execute(
                f"WITH paid AS ({insert} RETURNING entitlement_id) UPDATE programs_entitlement "
                "SET awaiting_payment = FALSE WHERE id IN (SELECT entitlement_id FROM paid)",
                params,
            )
            return cursor.rowcount
        cursor.execute(insert, params)
        made = cursor.rowcount
        cursor.execute(
            "UPDATE programs_entitlement SET awaiting_payment = FALSE WHERE awaiting_payment "
            "AND household_id >= %s AND household_id < %s AND id IN (SELECT entitlement_id FROM programs_payment "
            "WHERE batch_id = %s AND status = %s)",
            [lo, hi, batch.pk, Payment.Status.PENDING],
        )
        return made


def _refresh_statistics() -> None:
    """After bulk inserts the planner's row counts are stale (an empty table looks empty): without
    fresh statistics it picks nested loops over what are now large tables. ANALYZE samples, so it
    costs little at any size."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE programs_entitlement, programs_payment")


def grant_move(*, grant: Grant, to: str, actor: User | None, verb: str, batch: Batch) -> None:
    """The computation schedules an approved grant into its batch, a rejected batch sends it back: audited,
    on the household's history like its application and decision. ``grant`` is locked by the caller."""
    old, grant.status = grant.status, to
    grant.save(update_fields=["status"])
    audit_record(actor=actor, verb=verb, target=grant.household, union=grant.household.union,
                 changes={"grant": (None, f"{grant.program.name} {grant.amount}"), "status": (old, to),
                          "batch": (None, f"{batch.period} #{batch.pk}")})  # fmt: skip


# The lock.


def _acquire(batch_id: int) -> str:
    token = str(uuid.uuid4())
    now = timezone.now()
    taken = Batch.objects.filter(
        Q(lock_token="") | Q(locked_at__lt=now - stale_after()),
        pk=batch_id,
        status__in=COMPUTE_FROM,
    ).update(lock_token=token, locked_at=now, status=Batch.Status.RUNNING, error="")
    if not taken:
        raise BatchBusy(_("该批次正在由另一个任务计算，或已审批，不能重复计算。"))
    return token


def _heartbeat(batch_id: int, token: str, **progress) -> None:
    updated = Batch.objects.filter(pk=batch_id, lock_token=token).update(locked_at=timezone.now(), **progress)
    if not updated:
        raise BatchBusy(_("计算锁已被释放，本次计算停止。"))


def _release(batch_id: int, token: str, **fields) -> None:
    Batch.objects.filter(pk=batch_id, lock_token=token).update(lock_token="", locked_at=None, **fields)


def batch_release_lock(*, actor, batch_id: int, request=None) -> Batch:
    """Staff release a lock left by a run that died (once it went stale): the batch is 计算失败, to compute again."""
    with transaction.atomic():
        batch = Batch.objects.select_for_update(of=("self",)).select_related("union").get(pk=batch_id)
        step = batch_workflow.check(batch, actor, "release_lock")
        old = batch.status
        batch.lock_token, batch.locked_at, batch.status = "", None, step.target
        batch.error = _("计算中断，锁已由工作人员释放；可重新计算。")
        batch.save(update_fields=["lock_token", "locked_at", "status", "error"])
        audit_record(actor=actor, verb="batch.release_lock", target=batch, union=batch.union, request=request,
                     changes={"status": (old, batch.status)})  # fmt: skip
        return batch


# The run.


def batch_plan(*, union: Union, quarter: Quarter) -> tuple[Plan, QuerySet, tuple[int, int]]:
    """The SQL of a fund's batch for ``quarter``, the households owed for it, and their id range."""
    in_scope = Household.objects.filter(owed_for(quarter), union__path__startswith=union.path)
    bounds = in_scope.aggregate(lo=Min("id"), hi=Max("id"))
    city_standard = standard_in_force(union=union, on=quarter.start)
    cap = city_standard.dibao_monthly * 12 if city_standard else None
    plan = Plan.build(due=due_programs(union, quarter), on=quarter.start, quarter=quarter, cap_per_person=cap,
                      path=union.path)  # fmt: skip
    return plan, in_scope, (bounds["lo"] or 0, (bounds["hi"] or -1) + 1)


def batch_estimate(*, union: Union, quarter: Quarter) -> tuple[int, Decimal]:
    """Households and amount the batch would add now (the run's own SQL, summed instead of inserted)."""
    plan, _in_scope, (lo, hi) = batch_plan(union=union, quarter=quarter)
    if not plan.select or lo >= hi:
        return 0, money(0)
    with connection.cursor() as cursor:
        _no_jit(cursor)
        cursor.execute(f"SELECT COUNT(DISTINCT e.hid), SUM(e.value) FROM ({plan.select}) e", plan.params(lo, hi))
        households, total = cursor.fetchone()
    return households or 0, money(total or 0)


def batch_compute(*, batch_id: int, chunk_size: int | None = None) -> RunResult:
    """Compute (or complete) a batch. Safe to call again at any time; returns the run's counts."""
    token = _acquire(batch_id)
    started = time.perf_counter()
    try:
        batch = Batch.objects.select_related("union").get(pk=batch_id)
        quarter = parse_quarter(batch.period)
        path = batch.union.path
        plan, in_scope, (lo, hi) = batch_plan(union=batch.union, quarter=quarter)
        step = chunk_size or chunk_ids()
        ranges = [(start, min(start + step, hi)) for start in range(lo, hi, step)]
        entitle = ranges if plan.select else []
        _heartbeat(batch_id, token, total_chunks=len(entitle) + len(ranges) + 1, done_chunks=0)
        _refresh_statistics()
        created, done, now = 0, 0, timezone.now()
        for start, stop in entitle:
            with transaction.atomic():
                created += _insert_entitlements(batch=batch, plan=plan, lo=start, hi=stop, now=now)
            done += 1
            _heartbeat(batch_id, token, done_chunks=done)
        _refresh_statistics()
        with transaction.atomic():
            created += _insert_grant_entitlements(batch=batch, path=path, now=now)
        done += 1
        for start, stop in ranges:
            with transaction.atomic():
                _insert_payments(batch=batch, lo=start, hi=stop)
            done += 1
            _heartbeat(batch_id, token, done_chunks=done)
        eligible = in_scope.count()
        summary = batch_summary(batch=batch, quarter=quarter)
        total = Decimal(summary["total_amount"])
        households_paid = summary["households"]
        result = RunResult(eligible=eligible, created=created, skipped=eligible - households_paid, total_amount=total)
        _release(batch_id, token, status=Batch.Status.COMPUTED, eligible=eligible, created_count=created,
                 summary=summary, finished_at=timezone.now(), done_chunks=done)  # fmt: skip
        audit_record(actor=batch.created_by, verb="batch.compute", target=batch, union=batch.union,
                     changes={"created": (None, created), "total_amount": (None, str(total))})  # fmt: skip
        batch_observed(seconds=time.perf_counter() - started, rows=created, outcome="computed")
        return result
    except BatchBusy:
        raise
    except Exception as exc:
        log.exception("batch %s failed", batch_id)
        _release(batch_id, token, status=Batch.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000])
        batch_observed(seconds=time.perf_counter() - started, rows=0, outcome="failed")
        raise


def batch_summary(*, batch: Batch, quarter: Quarter | None = None) -> dict:
    """Counts and totals by program, tier and union; against the previous quarter; who was skipped.

    One grouped scan of the batch's payments (by program × tier × union, a few hundred rows at
    most) is rolled up here, rather than one scan of a million payments per breakdown; the
    distinct households paid take one more."""
    quarter = quarter or parse_quarter(batch.period)
    payments = Payment.objects.filter(batch=batch).exclude(status=Payment.Status.CANCELLED)
    groups = (
        payments.values("entitlement__program_id", "entitlement__tier", "entitlement__union_id")
        .annotate(n=Count("id"), total=Sum("amount"), reissued=Count("id", filter=~Q(entitlement__batch=batch)))
        .order_by()
    )
    depth = len(batch.union.ancestor_ids)
    by_program: dict[str, dict] = {}
    by_tier: dict[str, dict] = {}
    by_union: dict[int, dict] = {}
    count = reissued = 0
    total = Decimal("0")
    rows = list(groups)
    program_ids = {row["entitlement__program_id"] for row in rows}
    programs = dict(Program.objects.filter(pk__in=program_ids).values_list("pk", "name"))
    wanted = {row["entitlement__union_id"] for row in rows}
    union_paths = dict(Union.objects.filter(pk__in=wanted).values_list("pk", "path")) if wanted else {}
    for row in rows:
        n, amount = row["n"], row["total"]
        count, total, reissued = count + n, total + amount, reissued + row["reissued"]
        ids = Union.ids_in_path(union_paths.get(row["entitlement__union_id"], ""))
        under = ids[depth] if len(ids) > depth else batch.union_id
        for table, key in ((by_program, programs.get(row["entitlement__program_id"], "—")),
                           (by_tier, row["entitlement__tier"]), (by_union, under)):  # fmt: skip
            bucket = table.setdefault(key, {"n": 0, "total": Decimal("0")})
            bucket["n"] += n
            bucket["total"] += amount
    names = dict(Union.objects.filter(pk__in=by_union).values_list("pk", "name"))
    previous = Batch.objects.filter(union=batch.union, period=quarter.previous().key).exclude(
        status=Batch.Status.REJECTED).first()  # fmt: skip
    previous_totals = {}
    if previous is not None:
        previous_totals = {
            row["entitlement__program__name"]: str(money(row["total"]))
            for row in Payment.objects.filter(batch=previous).exclude(status=Payment.Status.CANCELLED)
            .values("entitlement__program__name").annotate(total=Sum("amount")).order_by()
        }  # fmt: skip
    filed = Household.objects.filter(owed_for(quarter), union__path__startswith=batch.union.path).aggregate(
        no_card=Count("id", filter=Q(bank_card="")), not_eligible=Count("id", filter=Q(tier=Tier.NONE)),
        held=Count("id", filter=Q(Exists(Flag.objects.filter(household_id=OuterRef("pk"), status=FlagStatus.OPEN)))
                   & ~Q(tier=Tier.NONE)))  # fmt: skip
    paid_households = payments.values("household_id").distinct().count()
    # The summary is stored once and read in either language: its words are kept as the Chinese
    # source (the worker's language may be anything) and translated on the page.
    with translation.override(settings.LANGUAGE_CODE):
        tier_labels = {code: str(label) for code, label in Tier.choices}
    return {
        "total_amount": str(money(total)),
        "payments": count,
        "households": paid_households,
        "reissued": reissued,
        "by_program": [{"name": name, "n": v["n"], "total": str(money(v["total"])),
                        "previous": previous_totals.get(name)} for name, v in sorted(by_program.items())],
        "by_tier": [{"name": str(tier_labels.get(tier, tier)), "n": v["n"], "total": str(money(v["total"]))}
                    for tier, v in by_tier.items()],
        "by_union": sorted(({"name": names.get(k, "—"), "n": v["n"], "total": str(money(v["total"]))}
                            for k, v in by_union.items()), key=lambda r: r["name"]),
        "previous_period": previous.period if previous else None,
        "skipped": [
            {"reason": gettext_noop("未填写银行卡号，暂缓发放"), "n": filed["no_card"]},
            {"reason": gettext_noop("不符合困难类别（无对应标准）"), "n": filed["not_eligible"]},
            {"reason": gettext_noop("信息比对发现疑点，待核查处理（暂停发放）"), "n": filed["held"]},
        ],
    }  # fmt: skip
