"""Synthetic household files for load tests and demos: realistic, deterministic, bulk-inserted.

    python manage.py generate_households --count 100000 [--seed 1] [--union WX-HS]

Households are spread over the grassroots unions below ``--union`` (default: the
root of the demo tree), with valid 身份证号 that never collide with each other or
with numbers already in the table, and with tiers computed by ``compute_tier``
under the standard in force. Rows are written in batches (COPY on PostgreSQL,
``bulk_create`` elsewhere), so memory stays flat however many are asked for.
Synthetic data: one summary audit event for the run, none per row.
"""

import io
import json
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard, Household, Member
from cases.selectors import standard_in_force
from hardship.models import Union
from hardship.services import audit_record

from ._generator import HouseholdGenerator

BATCH = 5000


class Command(BaseCommand):
    help = "Generate N realistic synthetic household files (bulk insert; deterministic for a --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="how many households")
        parser.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same data")
        parser.add_argument("--union", default="", help="code of the union whose grassroots unions get them")

    def handle(self, *args, count: int, seed: int, union: str, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        started = time.perf_counter()
        if not Union.objects.exists():
            call_command("seed_demo", stdout=io.StringIO())
        root = _root(union)
        unions = list(
            Union.objects.filter(path__startswith=root.path, level=Union.Level.GRASSROOTS, is_active=True).order_by(
                "code"
            )
        ) or [root]
        generator = HouseholdGenerator(
            seed=seed, unions=unions, standards=_standards(root, unions), today=timezone.localdate()
        )
        writer = CopyWriter() if connection.vendor == "postgresql" else OrmWriter()
        households = members = 0
        while households < count:
            size = min(BATCH, count - households)
            batch = [generator.household() for _ in range(size)]
            with transaction.atomic():
                members += writer.write(batch)
            households += size
            if options["verbosity"] > 1:
                self.stderr.write(f"{households}/{count} households, {time.perf_counter() - started:.1f} s")
        audit_record(
            actor=None,
            verb="household.generate",
            union=root,
            changes={"households": (None, households), "members": (None, members), "seed": (None, seed)},
        )
        _refresh_statistics()
        seconds = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps({"households": households, "members": members, "seconds": seconds}))


def _refresh_statistics() -> None:
    """Give the planner statistics for the rows just bulk-loaded (PostgreSQL).

    Without them (autovacuum off, or before it wakes up) a freshly generated million looks like an
    empty table and the list page joins and sorts all of it: seconds instead of milliseconds.
    VACUUM also marks the pages all-visible, which the index-only scans of the capped counts need;
    it cannot run inside a transaction (a test), where ANALYZE alone is done. The union table too:
    every scoped query reads ``union_id IN (SELECT id … WHERE path LIKE '1/%')``, and a tree of a
    few dozen unions never reaches autovacuum's threshold (50 changed rows), so without this the
    planner guesses one union in scope and sorts every household of the city for page 2.
    """
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (Household, Member, Union))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {tables}")


def _root(code: str) -> Union:
    if code:
        union = Union.objects.filter(code=code).first()
        if union is None:
            raise CommandError(f"no union with code {code!r}")
        return union
    return Union.objects.filter(code="WX").first() or Union.objects.filter(depth=0).order_by("code").first()


def _standards(root: Union, unions: list[Union]) -> dict[int, HardshipStandard]:
    """The standard in force for each union; Wuxi's defaults at the tree's root when there is none."""
    today = timezone.localdate()
    if standard_in_force(union=root, on=today) is None:
        top = Union.objects.get(pk=root.root_id)
        HardshipStandard.objects.create(union=top, **WUXI_STANDARD, note="无锡市默认标准（generate_households 生成）")
    return {u.pk: standard_in_force(union=u, on=today) for u in unions}


class OrmWriter:
    """bulk_create, for SQLite and any other database."""

    def write(self, batch: list[tuple[dict, list[dict]]]) -> int:
        households = Household.objects.bulk_create([Household(**values) for values, _people in batch])
        members = [
            Member(household_id=household.pk, **person)
            for household, (_values, people) in zip(households, batch, strict=True)
            for person in people
        ]
        Member.objects.bulk_create(members, batch_size=BATCH)
        return len(members)


class CopyWriter:
    """PostgreSQL COPY: household ids are taken from the sequence first, so members can point at them."""

    def __init__(self):
        self.households = _CopyTable(Household, [f for f in Household._meta.concrete_fields])
        self.members = _CopyTable(Member, [f for f in Member._meta.concrete_fields if not f.primary_key])

    def write(self, batch: list[tuple[dict, list[dict]]]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Household._meta.db_table, len(batch)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            households, members, count = io.StringIO(), io.StringIO(), 0
            for household_id, (values, people) in zip(ids, batch, strict=True):
                values["id"] = household_id
                households.write(self.households.line(values))
                for person in people:
                    person["household_id"] = household_id
                    members.write(self.members.line(person))
                count += len(people)
            self.households.copy(cursor, households)
            self.members.copy(cursor, members)
        return count


class _CopyTable:
    """One table's COPY text format: a converter per column, chosen once from the field type."""

    def __init__(self, model, fields: list[models.Field]):
        self.table = model._meta.db_table
        self.fields = fields
        self.converters = [_converter(field) for field in fields]

    def line(self, values: dict) -> str:
        cells = []
        for field, convert in zip(self.fields, self.converters, strict=True):
            # A column the generator does not know (added to the model later) gets its default.
            value = values[field.attname] if field.attname in values else field.get_default()
            cells.append(r"\N" if value is None else convert(value))
        return "\t".join(cells) + "\n"

    def copy(self, cursor, buffer: io.StringIO) -> None:
        buffer.seek(0)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        cursor.copy_expert(f"COPY {connection.ops.quote_name(self.table)} ({columns}) FROM STDIN", buffer)


def _converter(field: models.Field):
    if isinstance(field, models.BooleanField):
        return lambda value: "t" if value else "f"
    if isinstance(field, models.JSONField):
        return lambda value: _escape(json.dumps(value, ensure_ascii=False))
    if isinstance(field, models.DateField):  # DateTimeField too
        return lambda value: value.isoformat()
    if isinstance(field, models.CharField | models.TextField):
        return _escape
    return str


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text
