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
import random
import time
import zlib
from datetime import date, timedelta
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Max, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone

from cases.models import (
    NOT_LIVE_STATUSES,
    SERIOUS_HEALTH,
    Cause,
    Disability,
    HardshipStandard,
    Health,
    Household,
    Housing,
    MedicalInsurance,
    Member,
    Relation,
    SchoolLevel,
    Status,
    Tier,
    WorkStatus,
)
from cases.services import standard_in_force
from cases.tiers import MemberFacts, compute_tier
from hardship.identity import make_card_number, make_id_number
from hardship.models import Union
from hardship.services import audit_record

from ._names import (
    BANKS,
    EMPLOYERS,
    GIVEN_FEMALE,
    GIVEN_MALE,
    ROADS,
    SURNAMES,
)

BATCH = 5000
# Ages and filing years are counted from this day, not from today: a seed gives the same people any day.
REFERENCE_DATE = date(2024, 7, 1)
# Jiangsu · Wuxi districts (GB/T 2260): the 身份证号 area code and the address agree.
AREAS = {"320206": "惠山区", "320211": "滨湖区", "320213": "梁溪区", "320214": "新吴区"}
AREA_BY_UNION_CODE = {"WX-HS": "320206", "WX-BH": "320211", "WX-LX": "320213", "WX-XW": "320214"}
FILING_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
FILE_PREFIX = "WX"

WUXI_DEFAULT_STANDARD = {
    "effective_from": date(2024, 7, 1),
    "dibao_monthly": Decimal("1230"),
    "extreme_line_monthly": Decimal("1440"),
    "deep_multiple": Decimal("1.00"),
    "relative_multiple": Decimal("2.00"),
    "sudden_cost_ratio": Decimal("0.80"),
    "minimum_wage_monthly": Decimal("2490"),
    "note": "无锡市默认标准（generate_households 生成）",
}

# Most households in a hardship tier are filed (已建档); the rest are on their way or have left.
STATUS_IN_TIER = ((Status.FILED, 70), (Status.EXITED, 6), (Status.SECOND_REVIEW, 4), (Status.FIRST_REVIEW, 4),
                  (Status.SUBMITTED, 4), (Status.PUBLIC_NOTICE, 3), (Status.DRAFT, 3), (Status.RETURNED, 2),
                  (Status.REOPENED, 2), (Status.REJECTED, 2))  # fmt: skip
STATUS_NO_TIER = ((Status.EXITED, 45), (Status.REJECTED, 20), (Status.DRAFT, 15), (Status.SUBMITTED, 10),
                  (Status.FILED, 10))  # fmt: skip
FILED_STATUSES = (Status.FILED, Status.EXITED, Status.REOPENED)
HOUSING = [h.value for h in Housing]
HOUSING_WEIGHTS = (55, 25, 10, 7, 3)
SERIOUS = [h.value for h in SERIOUS_HEALTH]
DISABILITIES = [d.value for d in Disability if d != Disability.NONE]
SUDDEN_EVENTS = ((Cause.ACCIDENT, "交通事故"), (Cause.ACCIDENT, "工伤事故"), (Cause.NATURAL_DISASTER, "暴雨内涝"),
                 (Cause.ACCIDENT, "家中火灾"))  # fmt: skip
SCHOOL_COST = {SchoolLevel.KINDERGARTEN: (3000, 8000), SchoolLevel.PRIMARY: (500, 2000),
               SchoolLevel.JUNIOR: (800, 3000), SchoolLevel.SENIOR: (3000, 8000),
               SchoolLevel.UNIVERSITY: (8000, 18000)}  # fmt: skip


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
        root = self._root(union)
        unions = list(
            Union.objects.filter(path__startswith=root.path, level=Union.Level.GRASSROOTS, is_active=True).order_by(
                "code"
            )
        ) or [root]
        standards = _standards(root, unions)
        generator = HouseholdGenerator(seed=seed, unions=unions, standards=standards, today=timezone.localdate())
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
        seconds = round(time.perf_counter() - started, 2)
        self.stdout.write(json.dumps({"households": households, "members": members, "seconds": seconds}))

    def _root(self, code: str) -> Union:
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
        top = Union.objects.get(pk=int(root.path.strip("/").split("/")[0]))
        HardshipStandard.objects.create(union=top, **WUXI_DEFAULT_STANDARD)
    return {u.pk: standard_in_force(union=u, on=today) for u in unions}


class IdNumbers:
    """Valid 身份证号 from a counter per area and birth date, starting past any already in the table."""

    def __init__(self):
        self.next_sequence: dict[str, int] = {}
        prefixes = Q()
        for area in AREAS:
            prefixes |= Q(id_number__startswith=area)
        existing = (
            Member.objects.filter(prefixes)
            .annotate(prefix=Substr("id_number", 1, 14))
            .values("prefix")
            .annotate(top=Max(Substr("id_number", 15, 3)))
            .values_list("prefix", "top")
        )
        for prefix, top in existing:
            if top and top.isdigit():
                self.next_sequence[prefix] = int(top) + 1

    def allocate(self, area: str, birth: date, male: bool) -> tuple[str, date]:
        while True:
            prefix = f"{area}{birth:%Y%m%d}"
            # Each prefix starts at its own offset (not at 000), as real sequence numbers do.
            sequence = self.next_sequence.get(prefix, zlib.crc32(prefix.encode()) % 400)
            if sequence % 2 != male:  # the sequence's parity is the sex: odd for men
                sequence += 1
            if sequence <= 999:
                self.next_sequence[prefix] = sequence + 1
                return make_id_number(area, birth, sequence), birth
            birth -= timedelta(days=1)  # a thousand people of this day and area: the day before


class FileNumbers:
    """职工编号 like WX2024000123: a counter per filing year, past the highest already used."""

    def __init__(self):
        self.next_number: dict[int, int] = {}
        for year in FILING_YEARS:
            prefix = f"{FILE_PREFIX}{year}"
            top = (
                Household.objects.filter(file_number__startswith=prefix)
                .annotate(length=Length("file_number"))
                .filter(length=len(prefix) + 6)
                .aggregate(top=Max("file_number"))["top"]
            )
            self.next_number[year] = int(top[len(prefix) :]) + 1 if top and top[len(prefix) :].isdigit() else 1

    def allocate(self, year: int) -> str:
        for candidate in (year, *FILING_YEARS):
            number = self.next_number[candidate]
            if number <= 999_999:
                self.next_number[candidate] = number + 1
                return f"{FILE_PREFIX}{candidate}{number:06d}"
        raise CommandError("file numbers exhausted for every filing year")


class HouseholdGenerator:
    """One household at a time, as (household values, [member values]) keyed by column name."""

    def __init__(self, *, seed: int, unions: list[Union], standards: dict, today: date):
        self.rng = random.Random(seed)  # noqa: S311 — synthetic data, reproducible by design
        self.unions = unions
        self.standards = standards
        self.today = today
        self.ids = IdNumbers()
        self.file_numbers = FileNumbers()
        self.now = timezone.now()

    def household(self) -> tuple[dict, list[dict]]:
        rng = self.rng
        union = rng.choice(self.unions)
        area = next((a for code, a in AREA_BY_UNION_CODE.items() if union.code.startswith(code)), None)
        area = area or rng.choice(list(AREAS))
        people = self._people(area)
        income = self._income(people)
        facts = [MemberFacts(p["birth_date"], p["work_status"], p["health"], p["disability"]) for p in people]
        standard = self.standards[union.pk]
        head = people[0]
        main_cause, secondary = self._causes(people)
        single_parent = income.pop("single_parent")
        at_work = head["work_status"] in (WorkStatus.EMPLOYED, WorkStatus.FLEXIBLE)
        district = AREAS[area]
        household = {
            "union_id": union.pk,
            "head_name": head["name"],
            "head_id_number": head["id_number"],
            "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            "employer": rng.choice(EMPLOYERS) if at_work else "",
            "hukou_location": f"江苏省无锡市{district}",
            "address": f"无锡市{district}{rng.choice(ROADS[area])}{rng.randint(1, 399)}号"
            f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            "housing": rng.choices(HOUSING, weights=HOUSING_WEIGHTS)[0],
            "main_cause": main_cause,
            "secondary_causes": secondary,
            "single_parent": single_parent,
            **self._bank(),
            **income,
        }
        household["expense_housing"] = _housing_cost(rng, household["housing"])
        recorded = sum(household[f] for f in INCOME_FIELDS)
        rigid = sum(household[f] for f in EXPENSE_FIELDS)
        result = compute_tier(
            recorded_income=recorded,
            rigid_expenses=rigid,
            sudden_event_cost=household["sudden_event_cost"],
            members=facts,
            standard=standard,
            on=self.today,
        )
        status = _weighted(rng, STATUS_IN_TIER if result.tier != Tier.NONE else STATUS_NO_TIER)
        household.update(
            status=status,
            file_number=self.file_numbers.allocate(rng.choice(FILING_YEARS)) if status in FILED_STATUSES else "",
            member_count=len(people),
            imputed_members=result.imputed_members,
            annual_income=result.annual_income,
            per_capita_income=result.per_capita_income,
            tier=result.tier,
            standard_id=standard.pk if standard else None,
            bank_card_luhn_ok=True,
            version=1,
            created_by_id=None,
            updated_by_id=None,
            created_at=self.now,
            updated_at=self.now,
        )
        live = status not in NOT_LIVE_STATUSES
        for position, person in enumerate(people):
            person.update(position=position, removed=False, is_live=live)
        return household, people

    # The people -------------------------------------------------------------------------------

    def _people(self, area: str) -> list[dict]:
        rng = self.rng
        head_age = rng.randint(26, 59)
        head_male = rng.random() < 0.55
        surname = rng.choice(SURNAMES)
        people = [self._person(area, Relation.SELF, head_age, head_male, surname)]
        married = rng.random() < 0.72
        # Children carry the father's surname; a wife keeps her own.
        family_name = surname
        if married:
            spouse_age = max(22, min(head_age + rng.randint(-5, 5), 64))
            spouse_name = rng.choice(SURNAMES)
            people.append(self._person(area, Relation.SPOUSE, spouse_age, not head_male, spouse_name))
            family_name = surname if head_male else spouse_name
        for _ in range(rng.choices((0, 1, 2, 3), weights=(20, 50, 25, 5))[0]):
            child_age = head_age - rng.randint(22, 36)
            if child_age >= 0 and len(people) < 5:
                people.append(self._person(area, Relation.CHILD, child_age, rng.random() < 0.5, family_name))
        if len(people) < 5 and rng.random() < 0.2:
            parent_age = min(head_age + rng.randint(22, 32), 92)
            father = rng.random() < 0.5
            parent_name = surname if father else rng.choice(SURNAMES)
            people.append(self._person(area, Relation.PARENT, parent_age, father, parent_name))
        self.single_parent = not married and any(p["relation"] == Relation.CHILD for p in people)
        return people

    def _person(self, area: str, relation: str, age: int, male: bool, surname: str) -> dict:
        rng = self.rng
        birth = REFERENCE_DATE - timedelta(days=age * 365 + rng.randint(1, 364) + age // 4)
        id_number, birth = self.ids.allocate(area, birth, male)
        given = GIVEN_MALE if male else GIVEN_FEMALE
        name = surname + "".join(rng.choice(given) for _ in range(rng.choices((1, 2), weights=(30, 70))[0]))
        health = Health.HEALTHY.value
        if age >= 18 or rng.random() < 0.3:
            health = rng.choices(
                (Health.HEALTHY.value, Health.CHRONIC.value, rng.choice(SERIOUS)), weights=(70, 17, 13)
            )[0]
        disability = rng.choice(DISABILITIES) if rng.random() < 0.07 else Disability.NONE.value
        work, school = _work_and_school(rng, age, health, disability)
        return {
            "relation": relation,
            "name": name,
            "id_number": id_number,
            "sex": "M" if male else "F",
            "birth_date": birth,
            "health": health,
            "disability": disability,
            "work_status": work,
            "school_level": school,
            "monthly_income": _monthly_income(rng, work),
            "medical_insurance": (
                MedicalInsurance.NONE.value
                if rng.random() < 0.04
                else MedicalInsurance.EMPLOYEE.value
                if work == WorkStatus.EMPLOYED
                else MedicalInsurance.RESIDENT.value
            ),
        }

    # Money and causes -------------------------------------------------------------------------

    def _income(self, people: list[dict]) -> dict:
        rng = self.rng
        by_work = {}
        for person in people:
            by_work[person["work_status"]] = by_work.get(person["work_status"], 0) + person["monthly_income"]
        medical = sum(
            _amount(rng, 20_000, 150_000)
            if p["health"] in SERIOUS
            else _amount(rng, 2_000, 12_000)
            if p["health"] == Health.CHRONIC
            else 0
            for p in people
        )
        disability = sum(_amount(rng, 2_000, 10_000) for p in people if p["disability"] != Disability.NONE)
        schooling = sum(_amount(rng, *SCHOOL_COST[p["school_level"]]) for p in people if p["school_level"])
        sudden = _amount(rng, 30_000, 200_000) if rng.random() < 0.04 else 0
        self.sudden_event = rng.choice(SUDDEN_EVENTS) if sudden else None
        return {
            "income_wages": Decimal(by_work.get(WorkStatus.EMPLOYED, 0) * 12),
            "income_business": Decimal(by_work.get(WorkStatus.FLEXIBLE, 0) * 12),
            "income_property": Decimal(_amount(rng, 1_200, 6_000) if rng.random() < 0.05 else 0),
            "income_transfer": Decimal(_amount(rng, 3_600, 14_760) if rng.random() < 0.3 else 0),
            "income_pension": Decimal(by_work.get(WorkStatus.RETIRED, 0) * 12),
            "income_union_aid": Decimal(rng.choice((0, 0, 1400, 2800, 4200))),
            "expense_medical": Decimal(medical),
            "expense_disability": Decimal(disability),
            "expense_schooling": Decimal(schooling),
            "sudden_event_cost": Decimal(sudden),
            "sudden_event_note": f"{rng.choice(FILING_YEARS)} 年 {rng.randint(1, 12)} 月{self.sudden_event[1]}"
            if sudden
            else "",
            "single_parent": self.single_parent and rng.random() < 0.8,
        }

    def _causes(self, people: list[dict]) -> tuple[str, list[str]]:
        rng = self.rng
        head = people[0]
        facts = []
        if self.sudden_event:
            facts.append(self.sudden_event[0].value)
        if any(p["health"] in SERIOUS for p in people):
            facts.append(Cause.SERIOUS_ILLNESS.value)
        if head["work_status"] == WorkStatus.UNEMPLOYED:
            facts.append(rng.choice((Cause.LAID_OFF.value, Cause.ABLE_UNEMPLOYED.value)))
        if head["work_status"] == WorkStatus.UNABLE or head["disability"] != Disability.NONE:
            facts.append(Cause.NO_WORK_ABILITY.value)
        if any(p["school_level"] for p in people):
            facts.append(Cause.SCHOOLING.value)
        if any(p["medical_insurance"] == MedicalInsurance.NONE for p in people):
            facts.append(Cause.NO_SOCIAL_INSURANCE.value)
        facts = list(dict.fromkeys(facts)) or [rng.choice((Cause.OTHER.value, Cause.INSURANCE_NOT_PAID.value))]
        return facts[0], facts[1:4]

    def _bank(self) -> dict:
        rng = self.rng
        if rng.random() < 0.08:
            return {"bank_name": "", "bank_branch": "", "bank_card": ""}
        bank, bin_prefix, branches = rng.choice(BANKS)
        body = f"{bin_prefix}{rng.randrange(10**12):012d}"
        return {"bank_name": bank, "bank_branch": rng.choice(branches), "bank_card": make_card_number(body)}


INCOME_FIELDS = ("income_wages", "income_business", "income_property", "income_transfer", "income_pension",
                 "income_union_aid")  # fmt: skip
EXPENSE_FIELDS = ("expense_medical", "expense_disability", "expense_schooling", "expense_housing")


def _weighted(rng: random.Random, options) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0].value


def _amount(rng: random.Random, low: int, high: int) -> int:
    """A round amount (to 10 yuan) between low and high."""
    return rng.randint(low // 10, high // 10) * 10


def _housing_cost(rng: random.Random, housing: str) -> Decimal:
    if housing == Housing.RENTED:
        return Decimal(_amount(rng, 6_000, 18_000))
    if housing == Housing.PUBLIC:
        return Decimal(_amount(rng, 2_400, 6_000))
    return Decimal(0)


def _work_and_school(rng: random.Random, age: int, health: str, disability: str) -> tuple[str, str]:
    if age < 3:
        return WorkStatus.PRESCHOOL.value, ""
    if age < 6:
        return WorkStatus.PRESCHOOL.value, SchoolLevel.KINDERGARTEN.value
    if age < 12:
        return WorkStatus.STUDENT.value, SchoolLevel.PRIMARY.value
    if age < 15:
        return WorkStatus.STUDENT.value, SchoolLevel.JUNIOR.value
    if age < 18:
        return WorkStatus.STUDENT.value, SchoolLevel.SENIOR.value
    if age >= 60:
        return rng.choices((WorkStatus.RETIRED.value, WorkStatus.UNABLE.value), weights=(80, 20))[0], ""
    if health in SERIOUS or (disability != Disability.NONE and rng.random() < 0.6):
        return WorkStatus.UNABLE.value, ""
    if age < 23 and rng.random() < 0.6:
        return WorkStatus.STUDENT.value, SchoolLevel.UNIVERSITY.value
    work = rng.choices(
        (WorkStatus.EMPLOYED, WorkStatus.FLEXIBLE, WorkStatus.UNEMPLOYED, WorkStatus.UNABLE, WorkStatus.OTHER),
        weights=(50, 22, 18, 6, 4),
    )[0]
    return work.value, ""


def _monthly_income(rng: random.Random, work: str) -> Decimal:
    if work == WorkStatus.EMPLOYED:
        return Decimal(_amount(rng, 2_490, 4_800))
    if work == WorkStatus.FLEXIBLE:
        return Decimal(_amount(rng, 800, 2_500))
    if work == WorkStatus.RETIRED:
        return Decimal(_amount(rng, 1_500, 3_200))
    return Decimal(0)


# Writers --------------------------------------------------------------------------------------


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
        self.household_columns = [f.column for f in Household._meta.concrete_fields]
        self.member_columns = [f.column for f in Member._meta.concrete_fields if f.column != "id"]
        self.household_fields = list(Household._meta.concrete_fields)
        self.member_fields = [f for f in Member._meta.concrete_fields if f.column != "id"]

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
                households.write(_copy_line(values, self.household_fields))
                for person in people:
                    person["household_id"] = household_id
                    members.write(_copy_line(person, self.member_fields))
                    count += 1
            for table, columns, buffer in (
                (Household._meta.db_table, self.household_columns, households),
                (Member._meta.db_table, self.member_columns, members),
            ):
                buffer.seek(0)
                cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)  # noqa: S608
        return count


def _copy_line(values: dict, fields) -> str:
    # A column the generator does not know (added to the model later) gets the field's default.
    return "\t".join(_copy_value(values[f.attname] if f.attname in values else f.get_default()) for f in fields) + "\n"


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, list):
        value = json.dumps(value, ensure_ascii=False)
    elif not isinstance(value, str):
        value = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
