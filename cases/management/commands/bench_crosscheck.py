"""How fast a registry's result file is matched: a city's roll against the union's household files.

    python manage.py bench_crosscheck --households 1000000 --roll 1000000 [--hit-every 20]

PostgreSQL only, on its own database. It makes (once; later runs reuse them) ``--households``
filed households of two members each under a bench union, set-based (``generate_series``,
``INSERT … SELECT``), and a request that sends every member to the 民政 roll. It writes a roll
CSV of ``--roll`` rows (姓名, 身份证号, 救助类别, 认定日期) in which every ``--hit-every``-th row is a
member of ours, and times

* ``copy_floor_s``: a bare ``COPY`` of that file into the staging table, nothing else (best of two);
* ``match_s``: the whole upload service (``results_upload``): the same COPY, the one join on
  身份证号, the findings and the flags by the rules in force (each flagged household's history is
  written after the commit, by a worker);
* ``commit_checks_s``: the foreign keys of the findings and flags, checked at the commit (deferred;
  the bench rolls back, so it asks for them with ``SET CONSTRAINTS ALL IMMEDIATE``): the upload's
  answer waits for them too.

The match runs in a transaction that is rolled back, so the data stays as it was. Consents are
not generated: who is in a request is ``request_create``'s job (tests/cases/test_crosscheck.py);
the bench measures the match. The last line is one JSON object: ``roll_rows``, ``match_s``,
``copy_floor_s``, ``ratio``, ``commit_checks_s``, ``flags``, ``peak_rss_mb`` (and the sizes behind them).
"""

import json
import os
import resource
import tempfile
import time
from datetime import date
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.crosscheck import matching
from cases.crosscheck.models import (
    DEFAULT_BUSINESS_ROLES,
    CheckRequest,
    FlagRuleSet,
    Registry,
    RegistryKind,
    RequestPerson,
    RequestScope,
)
from cases.crosscheck.services import results_upload
from cases.models import Household, Member
from hardship.models import Role, Union, User
from hardship.services import role_assign, union_create

BENCH_UNION = "XC-BENCH"


class _RolledBack(Exception):
    pass


def _filled(model, given: dict[str, str]) -> tuple[str, str, list]:
    """The INSERT's columns and SELECT list for ``model``: the ``given`` SQL expressions (in this order, so
    their own parameters come first), then every other NOT NULL column with its model default as a
    parameter ('' for a blank text field without one, as Django saves it), so a field added to the model
    later does not break the bench."""
    columns, exprs, params = list(given), list(given.values()), []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.column in given or f.null:
            continue
        if not f.has_default() and not (f.blank and f.empty_strings_allowed):
            raise CommandError(f"bench_crosscheck: no value for {model._meta.db_table}.{f.column}")
        columns.append(f.column)
        exprs.append("%s")
        params.append(f.get_db_prep_save(f.get_default(), connection))
    return ", ".join(columns), ", ".join(exprs), params


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


class Command(BaseCommand):
    help = "Time matching a registry result file against the members of N households (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=100_000)
        parser.add_argument("--roll", type=int, default=100_000)
        parser.add_argument("--hit-every", type=int, default=20, help="every n-th roll row is one of our members")

    def handle(self, *args, households: int, roll: int, hit_every: int, **options):
        if connection.vendor != "postgresql":
            raise CommandError("bench_crosscheck needs PostgreSQL (DATABASE_URL)")
        if households < 1 or roll < 1 or hit_every < 1:
            raise CommandError("--households, --roll and --hit-every must be at least 1")
        union, actor = self._union_and_actor()
        started = time.perf_counter()
        made = self._households(union, households)
        registry = Registry.objects.filter(kind=RegistryKind.DIBAO, is_active=True).order_by("id").first()
        if registry is None:
            raise CommandError("no active 民政 registry (migration 0009 seeds one)")
        check = self._request(union, actor, registry, households)
        setup_s = time.perf_counter() - started
        self.stdout.write(f"setup: {made} households made, request #{check.pk} ({check.people} people), "
                          f"{setup_s:.1f}s")  # fmt: skip
        path = self._roll_file(union, roll, hit_every, households, registry)
        with open(path, "rb") as handle:
            data = handle.read()
        os.unlink(path)
        self.stdout.write(f"roll file: {roll} rows, {len(data) / 1e6:.1f} MB")
        floors = [self._bare_copy(data, columns=4) for _ in range(2)]
        copy_floor_s = min(floors)
        upload, match_s, commit_checks_s = self._match(actor, check, registry, data)
        result = {
            "roll_rows": roll,
            "households": households,
            "members": check.people,
            "match_s": round(match_s, 3),
            "copy_floor_s": round(copy_floor_s, 3),
            "ratio": round(match_s / copy_floor_s, 2) if copy_floor_s else None,
            "commit_checks_s": round(commit_checks_s, 3),
            "matched": upload.matched,
            "flags": upload.flags,
            "unmatched": upload.unmatched_count,
            "malformed": upload.malformed_count,
            "peak_rss_mb": _peak_rss_mb(),
        }
        self.stdout.write(json.dumps(result))

    def _union_and_actor(self) -> tuple[Union, User]:
        union = Union.objects.filter(code=BENCH_UNION).first()
        if union is None:
            union = union_create(actor=None, name="信息比对基准市总工会", code=BENCH_UNION, level=Union.Level.CITY)
        actor, created = User.objects.get_or_create(username="bench_xcheck", defaults={"full_name": "比对基准"})
        if created:
            actor.set_unusable_password()
            actor.save(update_fields=["password"])
        role_assign(actor=None, user=actor, union=union, role=Role.CENTRE_STAFF)
        FlagRuleSet.objects.get_or_create(union=union, effective_from=date(2020, 1, 1), defaults={
            "average_area": Decimal("40"), "business_roles": DEFAULT_BUSINESS_ROLES})  # fmt: skip
        return union, actor

    def _households(self, union: Union, wanted: int) -> int:
        """Households and members made set-based, numbered after those the bench union already has."""
        have = Household.objects.filter(union=union).count()
        if have >= wanted:
            return 0
        now = timezone.now()
        hh, mm = Household._meta.db_table, Member._meta.db_table
        house = {
            "union_id": "%s", "status": "'filed'", "head_name": "'比对户' || g",
            "head_id_number": "'3299' || LPAD(g::text, 13, '0') || '1'", "phone": "'13900000000'",
            "address": "'无锡市'", "housing": "'owned'", "main_cause": "'serious_illness'",
            "bank_name": "'中国工商银行'", "bank_card": "'6222021234567890128'", "bank_card_luhn_ok": "true",
            "member_count": "2",
            "annual_income": "12000", "per_capita_income": "500", "tier": "'extreme'", "created_at": "%s",
            "updated_at": "%s", "filed_at": "DATE '2025-01-05'",
        }  # fmt: skip
        member = {
            "household_id": "h.id", "relation": "r.relation", "name": "h.head_name || r.suffix",
            "id_number": "OVERLAY(h.head_id_number PLACING r.area FROM 1 FOR 4)", "sex": "r.sex",
            "birth_date": "DATE '1978-03-12'", "health": "'healthy'", "work_status": "'employed'",
            "position": "r.pos", "income_wages": "6000",
        }  # fmt: skip
        house_cols, house_sql, house_defaults = _filled(Household, house)
        member_cols, member_sql, member_defaults = _filled(Member, member)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
            # 身份证号 of the bench: 18 characters of the right shape, never a real person's (area 3299/3298).
            cursor.execute(
                f"INSERT INTO {hh} ({house_cols}) SELECT {house_sql} FROM generate_series(%s, %s) g",
                [union.pk, now, now, *house_defaults, have + 1, wanted],
            )
            cursor.execute(
                f"INSERT INTO {mm} ({member_cols}) SELECT {member_sql} "
                f"FROM {hh} h CROSS JOIN (VALUES ('self', '', '3299', 'M', 0), ('spouse', '妻', '3298', 'F', 1)) "
                "AS r(relation, suffix, area, sex, pos) WHERE h.union_id = %s AND h.id > COALESCE("
                f"(SELECT MAX(household_id) FROM {mm} m JOIN {hh} x ON x.id = m.household_id "
                "WHERE x.union_id = %s), 0)",
                [*member_defaults, union.pk, union.pk],
            )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {hh}")
            cursor.execute(f"ANALYZE {mm}")
        return wanted - have

    def _request(self, union: Union, actor: User, registry: Registry, households: int) -> CheckRequest:
        """A request sending every member of the bench union's households to the roll (set-based)."""
        check = CheckRequest.objects.filter(union=union, created_by=actor, households=households).first()
        if check is not None:
            return check
        persons, mm, hh = RequestPerson._meta.db_table, Member._meta.db_table, Household._meta.db_table
        with transaction.atomic():
            check = CheckRequest.objects.create(union=union, scope=RequestScope.UNION, created_by=actor,
                                                households=households)  # fmt: skip
            check.registries.set([registry])
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {persons} (request_id, registry_id, member_id, household_id, id_number) "
                    f"SELECT %s, %s, m.id, m.household_id, m.id_number FROM {mm} m "
                    f"JOIN {hh} h ON h.id = m.household_id WHERE h.union_id = %s AND NOT m.removed",
                    [check.pk, registry.pk, union.pk],
                )
                check.people = cursor.rowcount
            check.save(update_fields=["people"])
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {persons}")
        return check

    def _roll_file(self, union: Union, roll: int, hit_every: int, households: int, registry: Registry) -> str:
        """The roll as the 民政 centre sends it; every ``hit_every``-th row one of our members' numbers."""
        columns = registry.result_columns
        header = ["姓名", columns.get("id_number", "身份证号"), columns.get("roll", "救助类别"), "认定日期"]
        fd, path = tempfile.mkstemp(prefix="xcheck_roll_", suffix=".csv")
        with os.fdopen(fd, "wb") as handle, connection.cursor() as cursor:
            handle.write((",".join(header) + "\n").encode())
            cursor.cursor.copy_expert(
                cursor.mogrify(
                    "COPY (SELECT '名单' || k, CASE WHEN k %% %s = 0 "
                    "THEN (CASE WHEN k %% (2 * %s) = 0 THEN '3298' ELSE '3299' END) "
                    "     || LPAD((((k / %s) - 1) %% %s + 1)::text, 13, '0') || '1' "
                    "ELSE '3100' || LPAD(k::text, 13, '0') || '3' END, "
                    "CASE WHEN k %% 7 = 0 THEN '特困' ELSE '低保' END, '2025-06-01' "
                    "FROM generate_series(1, %s) k) TO STDOUT WITH (FORMAT csv)",
                    [hit_every, hit_every, hit_every, households, roll],
                ).decode(),
                handle,
            )
        return path

    def _bare_copy(self, data: bytes, *, columns: int) -> float:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                matching.stage_create(cursor, columns)
                started = time.perf_counter()
                matching.stage_copy(cursor, data, columns)
                elapsed = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            return elapsed

    def _match(self, actor: User, check: CheckRequest, registry: Registry, data: bytes):
        try:
            with transaction.atomic():
                started = time.perf_counter()
                upload = results_upload(actor=actor, check=check, registry=registry, data=data, name="roll.csv",
                                        result_date=timezone.localdate())  # fmt: skip
                elapsed = time.perf_counter() - started
                # What the commit would still pay: the findings' and flags' foreign keys are checked then
                # (deferred), and this transaction is rolled back, so they are asked for here.
                started = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                checks = time.perf_counter() - started
                raise _RolledBack
        except _RolledBack:
            return upload, elapsed, checks
