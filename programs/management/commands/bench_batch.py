"""`python manage.py bench_batch --households N`: time the quarterly batch against a bare INSERT … SELECT.

- Makes sure there are N households (generating the difference with generate_households).
- Runs the real batch (`run_batch`) for a bench-only period in a child process, and reads
  that process's peak RSS from the kernel (wait4).
- In the same run, inserts the same number of entitlement rows and payment rows with one bare
  ``INSERT … SELECT`` each into scratch tables of the same shape: columns, defaults, checks and
  indexes (``LIKE … INCLUDING ALL``) and the same foreign keys (which ``LIKE`` does not copy; each
  one is a per-row check at commit that the real batch pays too): the floor for writing those rows
  at all. The same inserts without the foreign keys are timed too and printed beside it.
- Removes the bench period's rows again, and prints one JSON object as its last line:
  households, eligible, entitlements, payments, batch_s, peak_rss_mb, insert_select_s, ratio,
  and insert_select_no_fk_s, ratio_no_fk (the floor without the foreign keys, for comparison).
"""

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from cases.models import Household
from hardship.models import Union
from programs.assistance.demo import seed_programs
from programs.assistance.models import Batch, Entitlement, Payment, Program

BENCH_PERIOD = "2099-Q4"


class Command(BaseCommand):
    help = "Benchmark the assistance batch (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=1_000_000)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, households: int, seed: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_batch measures PostgreSQL: set DATABASE_URL")
        if not Union.objects.filter(code="WX").exists():
            call_command("seed_demo", stdout=io.StringIO())
        have = Household.objects.count()
        if have < households:
            self.stderr.write(f"generating {households - have} households …")
            call_command("generate_households", count=households - have, seed=seed, stdout=io.StringIO())
        fund = Union.objects.get(code="WX")
        if not Program.objects.filter(fund_union=fund).exists():
            seed_programs(union=fund)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self._clean(fund)
        try:
            batch_s, peak_rss_mb = self._run_batch(fund)
            batch = Batch.objects.get(union=fund, period=BENCH_PERIOD)
            entitlements = Entitlement.objects.filter(batch=batch).count()
            payments = Payment.objects.filter(batch=batch).count()
            insert_select_s = self._baseline(entitlements, payments, batch.pk, foreign_keys=True)
            insert_select_no_fk_s = self._baseline(entitlements, payments, batch.pk, foreign_keys=False)
        finally:
            self._clean(fund)
        result = {
            "households": Household.objects.count(),
            "eligible": batch.eligible,
            "entitlements": entitlements,
            "payments": payments,
            "batch_s": round(batch_s, 2),
            "peak_rss_mb": round(peak_rss_mb, 1),
            "insert_select_s": round(insert_select_s, 2),
            "ratio": round(batch_s / insert_select_s, 2) if insert_select_s else None,
            "insert_select_no_fk_s": round(insert_select_no_fk_s, 2),
            "ratio_no_fk": round(batch_s / insert_select_no_fk_s, 2) if insert_select_no_fk_s else None,
        }
        self.stdout.write(json.dumps(result))

    def _run_batch(self, fund: Union) -> tuple[float, float]:
        env = dict(os.environ, DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE",
                                                                     "hardship.settings.local"))  # fmt: skip
        manage = Path(settings.BASE_DIR) / "manage.py"
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(manage), "run_batch", "--period", BENCH_PERIOD, "--union", fund.code],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
        if proc.returncode != 0:
            raise CommandError(f"run_batch failed: {err or out}")
        self.stderr.write(out.strip().splitlines()[-1])
        return elapsed, usage.ru_maxrss / 1024  # KiB on Linux

    def _baseline(self, entitlements: int, payments: int, batch_id: int, *, foreign_keys: bool) -> float:
        """The same numbers of rows, written by one bare INSERT … SELECT each into twin tables
        (same columns, defaults, checks and indexes, and — with ``foreign_keys`` — the same foreign
        keys, deferred to commit as Django declares them; committed, as the batch's rows are)."""
        with connection.cursor() as cursor:
            # Ordinary (WAL-logged, shared-buffer) tables like the real ones, created and committed first:
            # a TEMP table, or one created in the timed transaction, would skip work the real tables do.
            cursor.execute("DROP TABLE IF EXISTS bench_payment, bench_entitlement")
            cursor.execute("CREATE TABLE bench_entitlement (LIKE programs_entitlement INCLUDING ALL)")
            cursor.execute("CREATE TABLE bench_payment (LIKE programs_payment INCLUDING ALL)")
            if foreign_keys:
                for twin, table in (
                    ("bench_entitlement", "programs_entitlement"),
                    ("bench_payment", "programs_payment"),
                ):
                    for definition in _foreign_keys(cursor, table):
                        definition = definition.replace(
                            "REFERENCES programs_entitlement(", "REFERENCES bench_entitlement("
                        )
                        cursor.execute(f"ALTER TABLE {twin} ADD {definition}")
            program_ids = list(Program.objects.values_list("id", flat=True)[:3]) or [0]
            started = time.perf_counter()
            cursor.execute(  # autocommit: each statement is committed, as the batch's chunks are
                "INSERT INTO bench_entitlement (household_id, program_id, period_key, batch_id, amount, tier, "
                "union_id, detail, awaiting_payment, failed_card, created_at) "
                "SELECT h.id, p.id, %s, %s, 350, h.tier, h.union_id, '', TRUE, '', now() "
                "FROM cases_household h CROSS JOIN (SELECT unnest(%s::bigint[]) AS id) p "
                "WHERE h.status = 'filed' LIMIT %s",
                [BENCH_PERIOD, batch_id, program_ids, entitlements],
            )
            cursor.execute(
                "INSERT INTO bench_payment (entitlement_id, batch_id, household_id, amount, status, payee_name, "
                "bank_name, card_number, failure_reason) "
                "SELECT e.id, e.batch_id, e.household_id, e.amount, 'pending', '', '', '', '' "
                "FROM bench_entitlement e LIMIT %s",
                [payments],
            )
            elapsed = time.perf_counter() - started
            cursor.execute("DROP TABLE bench_payment, bench_entitlement")
        return elapsed

    def _clean(self, fund: Union) -> None:
        """Remove the bench period's rows with plain SQL: the ORM's delete() would first load a
        million payments to look for protected references, and a Linux child process inherits its
        parent's peak RSS, so the batch's figure would carry the cleaner's memory."""
        ids = list(Batch.objects.filter(union=fund, period=BENCH_PERIOD).values_list("pk", flat=True))
        if ids:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("DELETE FROM programs_payment WHERE batch_id = ANY(%s)", [ids])
                cursor.execute("DELETE FROM programs_entitlement WHERE batch_id = ANY(%s)", [ids])
                cursor.execute("DELETE FROM programs_batch WHERE id = ANY(%s)", [ids])
        with connection.cursor() as cursor:  # the bench's deletes must not slow the next run
            cursor.execute("VACUUM ANALYZE programs_entitlement, programs_payment")


def _foreign_keys(cursor, table: str) -> list[str]:
    """The definitions of ``table``'s foreign keys, as PostgreSQL would write them."""
    cursor.execute(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f' "
        "ORDER BY conname",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]
