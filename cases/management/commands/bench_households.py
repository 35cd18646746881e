"""How fast the household files are at the current data size: the list page, the admin, the detail, the import.

    python manage.py bench_households [--requests 30] [--warmup 3] [--import-rows 10000]

Server-side and warm: Django's test Client calls the real views in-process (the
whole middleware stack, the template rendering, the session save), after
warm-up requests, with DEBUG off as in production. It measures

* the portal's list page, logged in as city-level centre staff who see every
  file: plain, a surname search, a phone-prefix search, a 身份证号 search, a
  tier filter, a status + district filter (p50/p95 over all of them);
* the Django admin changelist of households, logged in as a superuser, plain,
  searched and filtered the same way (p50/p95), and admin p95 ÷ list p95;
* the number of queries of one detail page, on a file with several members,
  home visits, opinions, monthly incomes, attachments and a change history;
* the time ``cases.excel.households_import`` takes for a generated workbook of
  ``--import-rows`` member rows, built on the project's template and columns.

The timed requests run as production runs them (each commits its session
save). What the bench adds — the visits, opinions and history it gives the
detail file, the imported households — is written inside one transaction that
is rolled back; the sessions it opens, and a centre-staff user or superuser it
had to create, are deleted at the end. The data is left as it was (sequences
move on).

The last line of the output is one JSON object: ``households``, ``list_p50_ms``,
``list_p95_ms``, ``admin_p50_ms``, ``admin_p95_ms``, ``ratio``, ``detail_queries``,
``import_10k_s`` (and the row and household counts of the import).
"""

import json
import math
import os
import re
import statistics
import time
from datetime import date, timedelta
from decimal import Decimal
from importlib import import_module
from io import BytesIO

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from cases.excel import households_import
from cases.excel.columns import CAUSE_SEPARATOR, CAUSES, CHOICE, COLUMNS, MONEY, NO, TEXT_FORMAT_KINDS, YES, YES_NO
from cases.excel.template import EXAMPLE_ROWS, SHEET_MEMBERS, households_template_xlsx
from cases.models import (
    Attachment,
    HomeVisit,
    Household,
    MonthlyIncome,
    Opinion,
    Status,
    Step,
    Tier,
    VisitPhoto,
)
from hardship.models import Role, RoleAssignment, SocialOrganisation, Union, User
from hardship.services import audit_record

from ._generator import HouseholdGenerator
from .generate_households import _standards


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    return ordered[max(1, math.ceil(len(ordered) * fraction)) - 1]


class Command(BaseCommand):
    help = "Benchmark the household list, the admin changelist, the detail page and the Excel import (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30, help="timed requests per URL (default 30)")
        parser.add_argument("--warmup", type=int, default=3, help="untimed requests per URL first (default 3)")
        parser.add_argument("--import-rows", type=int, default=10_000, help="member rows in the workbook")
        parser.add_argument("--surname", default="", help="surname to search for (default: the newest file's)")

    def handle(self, *args, requests: int, warmup: int, import_rows: int, surname: str, **options):
        if requests < 1 or warmup < 0 or import_rows < 1:
            raise CommandError("--requests and --import-rows must be at least 1, --warmup at least 0")
        if not Household.objects.exists():
            raise CommandError(
                "No household files to measure. Load data first, e.g. "
                "`manage.py seed_demo && manage.py generate_households --count 1000000 --seed 1`."
            )
        self.requests, self.warmup, self.verbosity = requests, warmup, options["verbosity"]
        hosts = [*settings.ALLOWED_HOSTS, "testserver"]
        with override_settings(DEBUG=False, ALLOWED_HOSTS=hosts), _Actors() as actors:
            result = self._run(actors, import_rows=import_rows, surname=surname)
        self.stdout.write(json.dumps(result, ensure_ascii=False))

    # The run ------------------------------------------------------------------------------------

    def _run(self, actors: "_Actors", *, import_rows: int, surname: str) -> dict:
        households = Household.objects.count()
        root, staff, superuser = actors.root, actors.staff, actors.superuser
        newest = Household.objects.order_by("-id").values("head_name", "phone", "head_id_number").first()
        surname = surname or newest["head_name"][:1]
        district = Union.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path").first()
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
        self.log(f"{households:,} households; {connection.vendor}; searching {surname!r}; load average {load}")
        if not _has_statistics():
            self.log("  WARNING: cases_household has never been analysed: the planner is guessing (run ANALYZE).")

        list_url = reverse("cases:household_list")
        list_variants = {
            "plain": "",
            "name": f"q={surname}",
            "phone": f"q={newest['phone'][:7]}",
            "id_number": f"q={newest['head_id_number']}",
            "tier": f"tier={Tier.EXTREME}",
            "status+union": f"status={Status.FILED}&union={(district or root).pk}",
        }
        admin_url = reverse("admin:cases_household_changelist")
        admin_variants = {
            "plain": "",
            "name": f"q={surname}",
            "tier": f"tier__exact={Tier.EXTREME}",
            "status": f"status__exact={Status.FILED}",
        }
        # Timed as production runs: every request commits its own session save.
        list_times = self._time_urls(actors.client(staff), list_url, list_variants, "list")
        admin_times = self._time_urls(actors.client(superuser), admin_url, admin_variants, "admin")

        # What adds rows (the detail file's visits and history, the import) is rolled back.
        with transaction.atomic():
            try:
                detail_queries = self._detail_queries(actors.client(staff), staff)
                import_seconds, imported_households, imported_rows = self._import(staff, root, import_rows)
            finally:
                transaction.set_rollback(True)

        list_p95, admin_p95 = percentile(list_times, 0.95), percentile(admin_times, 0.95)
        return {
            "households": households,
            "list_p50_ms": round(statistics.median(list_times), 1),
            "list_p95_ms": round(list_p95, 1),
            "admin_p50_ms": round(statistics.median(admin_times), 1),
            "admin_p95_ms": round(admin_p95, 1),
            "ratio": round(admin_p95 / list_p95, 1),
            "detail_queries": detail_queries,
            "import_10k_s": round(import_seconds, 2),
            "import_rows": imported_rows,
            "import_households": imported_households,
            "load_1m": round(load, 2) if load is not None else None,
        }

    def log(self, message: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(message)

    def _time_urls(self, client: Client, url: str, variants: dict[str, str], label: str) -> list[float]:
        every = []
        for name, query in variants.items():
            address = f"{url}?{query}" if query else url
            for _ in range(self.warmup):
                _get(client, address)
            times = []
            for _ in range(self.requests):
                started = time.perf_counter()
                _get(client, address)
                times.append((time.perf_counter() - started) * 1000)
            every += times
            self.log(
                f"  {label:<5} {name:<13} p50 {statistics.median(times):8.1f} ms   "
                f"p95 {percentile(times, 0.95):8.1f} ms   {address}"
            )
        return every

    # The detail page ----------------------------------------------------------------------------

    def _detail_queries(self, client: Client, user) -> int:
        household = _rich_household(user)
        address = reverse("cases:household_detail", args=[household.pk])
        for _ in range(max(self.warmup, 1)):
            _get(client, address)
        with CaptureQueriesContext(connection) as captured:
            _get(client, address)
        # SAVEPOINT / RELEASE come only from the bench's own rolled-back transaction (the session save
        # opens one inside it); a real request sends none, so they are not counted.
        queries = [q["sql"] for q in captured.captured_queries if not _SAVEPOINT.match(q["sql"])]
        self.log(f"  detail: {len(queries)} queries for household {household.pk} ({address})")
        if self.verbosity > 1:
            for sql in queries:
                self.log(f"    {sql[:300]}")
        return len(queries)

    # The import ---------------------------------------------------------------------------------

    def _import(self, user, root: Union, rows: int) -> tuple[float, int, int]:
        union = (
            Union.objects.filter(path__startswith=root.path, level=Union.Level.GRASSROOTS, is_active=True)
            .order_by("path")
            .first()
        ) or root
        content, households = _workbook(union, rows)
        upload = SimpleUploadedFile("bench_import.xlsx", content, "application/vnd.ms-excel")
        with transaction.atomic():
            started = time.perf_counter()
            result = households_import(actor=user, union=union, file=upload)
            seconds = time.perf_counter() - started
            transaction.set_rollback(True)
        if not result.ok:
            shown = "; ".join(f"row {e.row} {e.column}: {e.message}" for e in result.errors[:5])
            raise CommandError(f"the generated workbook did not import ({len(result.errors)} errors): {shown}")
        self.log(
            f"  import: {rows:,} rows / {result.households:,} households into {union.name} in {seconds:.2f} s "
            f"({len(content) / 1024:.0f} KB; rolled back)"
        )
        return seconds, households, rows


def _has_statistics() -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE relid = %s::regclass",
            [Household._meta.db_table],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


_SAVEPOINT = re.compile(r"^\s*(RELEASE\s+)?(ROLLBACK\s+TO\s+)?SAVEPOINT\b", re.IGNORECASE)


def _get(client: Client, address: str):
    response = client.get(address)
    if response.status_code != 200:
        raise CommandError(f"GET {address} answered {response.status_code}")
    return response


# The actors and the data the bench needs (created inside the rolled-back transaction) -----------


class _Actors:
    """Who the bench logs in as, and their sessions; what it had to create is deleted on the way out.

    * centre staff at the root of the households' union tree, who reads every file;
    * a superuser for the admin.

    Sessions are written directly rather than through ``login()``, which would also record a
    last_login and an access-log entry for every run.
    """

    def __init__(self):
        self.created: list[User] = []
        self.sessions: list[str] = []

    def __enter__(self) -> "_Actors":
        self.root = _root_union()
        held = (
            RoleAssignment.objects.filter(role=Role.CENTRE_STAFF, union=self.root, user__is_active=True)
            .select_related("user")
            .order_by("id")
            .first()
        )
        if held:
            self.staff = held.user
        else:
            self.staff = self._create(username="bench_centre_staff", full_name="基准测试")
            RoleAssignment.objects.create(user=self.staff, union=self.root, role=Role.CENTRE_STAFF)
        self.superuser = User.objects.filter(is_superuser=True, is_active=True).order_by("id").first() or self._create(
            username="bench_superuser", is_staff=True, is_superuser=True
        )
        return self

    def _create(self, **fields) -> User:
        user = User.objects.create(**fields)
        self.created.append(user)
        return user

    def client(self, user: User) -> Client:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        backend = next(path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user"))
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        self.sessions.append(session.session_key)
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
        return client

    def __exit__(self, *exc_info) -> None:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for key in self.sessions:
            store(key).delete()
        for user in self.created:
            user.delete()


def _root_union() -> Union:
    """The root of the tree the newest households belong to."""
    union_id = Household.objects.order_by("-id").values_list("union_id", flat=True).first()
    return Union.objects.get(pk=Union.objects.get(pk=union_id).root_id)


def _rich_household(user) -> Household:
    """A filed household with several members, given visits, opinions, incomes, attachments and history."""
    household = (
        Household.objects.filter(status=Status.FILED, member_count__gte=3).order_by("-id").first()
        or Household.objects.order_by("-member_count", "-id").first()
    )
    others = list(User.objects.exclude(pk=user.pk).order_by("id")[:2]) or [user]
    today = timezone.localdate()
    # A file that went the whole review chain: every reviewer and date the detail page shows is set.
    organisation = SocialOrganisation.objects.order_by("id").first() or SocialOrganisation.objects.create(
        name="基准测试社会组织", contracted_by_id=household.union_id
    )
    Household.objects.filter(pk=household.pk).update(
        submitted_by=user,
        submitted_at=timezone.now() - timedelta(days=90),
        first_reviewer=others[0],
        second_review_org=organisation,
        second_review_due=today - timedelta(days=60),
        second_reviewer=others[-1],
        notice_start=today - timedelta(days=40),
        notice_end=today - timedelta(days=33),
        filed_at=today - timedelta(days=30),
        next_review_due=today + timedelta(days=335),
        created_by=user,
        updated_by=others[0],
    )
    for index, step in enumerate((Step.FIRST, Step.SECOND, Step.YEARLY)):
        visit = HomeVisit.objects.create(
            household=household,
            step=step,
            visited_on=today - timedelta(days=30 * (3 - index)),
            observer=others[0],
            address_confirmed=True,
            living_conditions="住房狭小，家电陈旧。",
            findings="情况属实。",
            recorded_by=user,
        )
        visit.visitors.set([user, *others])
        VisitPhoto.objects.create(visit=visit, file=f"visits/{visit.pk}/1.jpg", content_type="image/jpeg", size=1)
    for decision in (Opinion.Decision.SUBMIT, Opinion.Decision.APPROVE, Opinion.Decision.FILE):
        Opinion.objects.create(household=household, step=Step.FIRST, decision=decision, text="同意。", actor=user)
    first = date(today.year, today.month, 1)
    for months in range(1, 4):
        month = (first - timedelta(days=28 * months)).replace(day=1)
        MonthlyIncome.objects.create(
            household=household, month=month, per_capita_income=Decimal("900"), recorded_by=user
        )
    for kind in (Attachment.Kind.INCOME_PROOF, Attachment.Kind.MEDICAL):
        Attachment.objects.create(
            household=household,
            kind=kind,
            file=f"households/{household.pk}/{kind}.pdf",
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=1024,
            uploaded_by=user,
        )
    for verb in ("household.update", "household.submit", "household.file"):
        audit_record(actor=user, verb=verb, target=household, changes={"address": ("旧地址", "新地址")})
    return household


def _workbook(union: Union, rows: int) -> tuple[bytes, int]:
    """The project's import template with its examples replaced by ``rows`` member rows of synthetic households."""
    generator = HouseholdGenerator(
        seed=20_240_701, unions=[union], standards=_standards(union, [union]), today=timezone.localdate()
    )
    workbook = load_workbook(BytesIO(households_template_xlsx()))
    sheet = workbook[SHEET_MEMBERS]
    sheet.delete_rows(2, len(EXAMPLE_ROWS))
    written = households = 0
    with translation.override("zh-hans"):  # the importer reads the Chinese labels
        while written < rows:
            household, people = generator.household()
            households += 1
            for person in people[: rows - written]:
                facts = person | household if person["relation"] == "self" else person
                sheet.append([_cell(column, facts, households) for column in COLUMNS])
                written += 1
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), households


def _cell(column, facts: dict, group: int):
    if column.field == "group":
        return group
    if column.field not in facts:
        return None
    value = facts[column.field]
    if column.kind == CHOICE:
        return str(column.choices(value).label) if value else None
    if column.kind == CAUSES:
        return CAUSE_SEPARATOR.join(str(column.choices(v).label) for v in value) or None
    if column.kind == YES_NO:
        return YES if value else NO
    if column.kind == MONEY:
        return float(value)
    if column.kind in TEXT_FORMAT_KINDS:
        return str(value) or None
    return value or None
