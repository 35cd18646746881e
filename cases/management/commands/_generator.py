"""Synthetic households for ``generate_households``: realistic people, money and causes from a seeded RNG.

Everything is a plain value keyed by column name, so the command can COPY it or
``bulk_create`` it. Only the counters (身份证号 sequence per area and day, 职工编号
per year) live for the whole run; households are made one at a time.
"""

import random
import zlib
from datetime import date, timedelta
from decimal import Decimal
from itertools import accumulate

from django.db.models import Max, Q
from django.db.models.functions import Length, Substr
from django.utils import timezone

from cases.models import (
    INCOME_SOURCES,
    NOT_LIVE_STATUSES,
    SERIOUS_HEALTH,
    Cause,
    Disability,
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
from cases.tiers import MemberFacts, compute_tier
from hardship.models import Union

from ._names import BANKS, EMPLOYERS, GIVEN_FEMALE, GIVEN_MALE, ROADS, SURNAMES

# Ages and filing years are counted from this day, not from today: a seed gives the same people any day.
REFERENCE_DATE = date(2024, 7, 1)
# Jiangsu · Wuxi districts (GB/T 2260): the 身份证号 area code and the address agree.
AREAS = {"320206": "惠山区", "320211": "滨湖区", "320213": "梁溪区", "320214": "新吴区"}
AREA_BY_UNION_CODE = {"WX-HS": "320206", "WX-BH": "320211", "WX-LX": "320213", "WX-XW": "320214"}
FILING_YEARS = (2019, 2020, 2021, 2022, 2023, 2024)
FILE_PREFIX = "WX"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Plain strings: enum member access is measurable at a million households.
SELF, SPOUSE, CHILD, PARENT = Relation.SELF.value, Relation.SPOUSE.value, Relation.CHILD.value, Relation.PARENT.value
HEALTHY, CHRONIC = Health.HEALTHY.value, Health.CHRONIC.value
SERIOUS = tuple(h.value for h in SERIOUS_HEALTH)
NO_DISABILITY = Disability.NONE.value
DISABILITIES = tuple(d.value for d in Disability if d != Disability.NONE)
EMPLOYED, FLEXIBLE, UNEMPLOYED = WorkStatus.EMPLOYED.value, WorkStatus.FLEXIBLE.value, WorkStatus.UNEMPLOYED.value
RETIRED, STUDENT, PRESCHOOL = WorkStatus.RETIRED.value, WorkStatus.STUDENT.value, WorkStatus.PRESCHOOL.value
UNABLE, OTHER_WORK = WorkStatus.UNABLE.value, WorkStatus.OTHER.value
KINDERGARTEN, PRIMARY, JUNIOR = SchoolLevel.KINDERGARTEN.value, SchoolLevel.PRIMARY.value, SchoolLevel.JUNIOR.value
SENIOR, UNIVERSITY = SchoolLevel.SENIOR.value, SchoolLevel.UNIVERSITY.value
INSURED_AT_WORK, RESIDENT_INSURANCE = MedicalInsurance.EMPLOYEE.value, MedicalInsurance.RESIDENT.value
UNINSURED = MedicalInsurance.NONE.value
RENTED, PUBLIC_HOUSING = Housing.RENTED.value, Housing.PUBLIC.value
NO_TIER = Tier.NONE.value
FILED = (Status.FILED.value, Status.EXITED.value, Status.REOPENED.value)
NOT_LIVE = tuple(str(s) for s in NOT_LIVE_STATUSES)


def _weighted(options: tuple[tuple[str, int], ...]) -> tuple[tuple[str, ...], list[int]]:
    """Values and cumulative weights, for ``rng.choices(values, cum_weights=...)``."""
    return tuple(getattr(v, "value", v) for v, _w in options), list(accumulate(w for _v, w in options))


# Most households in a hardship tier are filed (已建档); the rest are on their way or have left.
STATUS_IN_TIER = _weighted(
    ((Status.FILED, 70), (Status.EXITED, 6), (Status.SECOND_REVIEW, 4), (Status.FIRST_REVIEW, 4),
     (Status.SUBMITTED, 4), (Status.PUBLIC_NOTICE, 3), (Status.DRAFT, 3), (Status.RETURNED, 2),
     (Status.REOPENED, 2), (Status.REJECTED, 2))
)  # fmt: skip
STATUS_NO_TIER = _weighted(
    ((Status.EXITED, 45), (Status.REJECTED, 20), (Status.DRAFT, 15), (Status.SUBMITTED, 10), (Status.FILED, 10))
)
HOUSING = _weighted(
    ((Housing.OWNED, 55), (Housing.RENTED, 25), (Housing.PUBLIC, 10), (Housing.LODGING, 7), (Housing.OTHER, 3))
)
ADULT_WORK = _weighted(((EMPLOYED, 50), (FLEXIBLE, 22), (UNEMPLOYED, 18), (UNABLE, 6), (OTHER_WORK, 4)))
CHILDREN = _weighted(((0, 20), (1, 50), (2, 25), (3, 5)))
SUDDEN_EVENTS = ((Cause.ACCIDENT.value, "交通事故"), (Cause.ACCIDENT.value, "工伤事故"),
                 (Cause.NATURAL_DISASTER.value, "暴雨内涝"), (Cause.ACCIDENT.value, "家中火灾"))  # fmt: skip
SCHOOL_COST = {KINDERGARTEN: (3000, 8000), PRIMARY: (500, 2000), JUNIOR: (800, 3000), SENIOR: (3000, 8000),
               UNIVERSITY: (8000, 18000)}  # fmt: skip
# A member's monthly pay goes to the source of their work (元/年).
SOURCE_OF_WORK = {EMPLOYED: "income_wages", FLEXIBLE: "income_business", RETIRED: "income_pension"}
EXPENSE_FIELDS = ("expense_medical", "expense_disability", "expense_schooling", "expense_housing")
ZERO = Decimal(0)


class IdNumbers:
    """Valid 身份证号 from a counter per area and birth date, starting past any already in the table."""

    def __init__(self):
        self.next_sequence: dict[str, int] = {}
        self.prefix_sums: dict[str, int] = {}
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
            sequence = self.next_sequence.get(prefix)
            if sequence is None:
                sequence = zlib.crc32(prefix.encode()) % 400
            if sequence % 2 != male:  # the sequence's parity is the sex: odd for men
                sequence += 1
            if sequence <= 999:
                self.next_sequence[prefix] = sequence + 1
                return self._number(prefix, sequence), birth
            birth -= timedelta(days=1)  # a thousand people of this day and area: the day before

    def _number(self, prefix: str, sequence: int) -> str:
        """GB 11643 check character; the prefix's weighted sum is kept, as it repeats often."""
        total = self.prefix_sums.get(prefix)
        if total is None:
            total = sum(int(digit) * weight for digit, weight in zip(prefix, _ID_WEIGHTS[:14], strict=True))
            self.prefix_sums[prefix] = total
        hundreds, rest = divmod(sequence, 100)
        tens, units = divmod(rest, 10)
        total += hundreds * _ID_WEIGHTS[14] + tens * _ID_WEIGHTS[15] + units * _ID_WEIGHTS[16]
        return f"{prefix}{sequence:03d}{_ID_CHECK[total % 11]}"


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
            tail = top[len(prefix) :] if top else ""
            self.next_number[year] = int(tail) + 1 if tail.isdigit() else 1

    def allocate(self, year: int) -> str:
        for candidate in (year, *FILING_YEARS):
            number = self.next_number[candidate]
            if number <= 999_999:
                self.next_number[candidate] = number + 1
                return f"{FILE_PREFIX}{candidate}{number:06d}"
        raise OverflowError("职工编号 exhausted for every filing year")


def card_number(bin_prefix: str, rng: random.Random) -> str:
    """A 19-digit UnionPay card number with its Luhn check digit."""
    body = f"{bin_prefix}{rng.randrange(10**12):012d}"
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:  # doubled: these sit at odd positions once the check digit is appended
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return body + str(-total % 10)


class HouseholdGenerator:
    """One household at a time, as (household values, [member values]) keyed by column attname."""

    def __init__(self, *, seed: int, unions: list[Union], standards: dict, today: date):
        self.rng = random.Random(seed)  # noqa: S311 — synthetic data, reproducible by design
        self.unions = unions
        self.areas = {
            u.pk: next((a for code, a in AREA_BY_UNION_CODE.items() if u.code.startswith(code)), None) for u in unions
        }
        self.standards = standards
        self.today = today
        self.ids = IdNumbers()
        self.file_numbers = FileNumbers()
        self.now = timezone.now()

    def household(self) -> tuple[dict, list[dict]]:
        rng = self.rng
        union = rng.choice(self.unions)
        area = self.areas[union.pk] or rng.choice(tuple(AREAS))
        people, single_parent = self._people(area)
        money, sudden_event = self._money(people)
        head = people[0]
        district = AREAS[area]
        housing = rng.choices(HOUSING[0], cum_weights=HOUSING[1])[0]
        money["expense_housing"] = _housing_cost(rng, housing)
        bank = self._bank()
        household = {
            "union_id": union.pk,
            "head_name": head["name"],
            "head_id_number": head["id_number"],
            "phone": f"1{rng.choice('35789')}{rng.randrange(10**9):09d}",
            "employer": rng.choice(EMPLOYERS) if head["work_status"] in (EMPLOYED, FLEXIBLE) else "",
            "hukou_location": f"江苏省无锡市{district}",
            "address": f"无锡市{district}{rng.choice(ROADS[area])}{rng.randint(1, 399)}号"
            f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)}室",
            "housing": housing,
            "single_parent": single_parent and rng.random() < 0.8,
            **self._causes(people, sudden_event),
            **bank,
            **money,
        }
        standard = self.standards[union.pk]
        result = compute_tier(
            recorded_income=sum((p[f] for p in people for f in INCOME_SOURCES), ZERO),
            rigid_expenses=sum((money[f] for f in EXPENSE_FIELDS), ZERO),
            sudden_event_cost=money["sudden_event_cost"],
            members=[MemberFacts(p["birth_date"], p["work_status"], p["health"], p["disability"]) for p in people],
            standard=standard,
            on=self.today,
        )
        statuses = STATUS_IN_TIER if result.tier != NO_TIER else STATUS_NO_TIER
        status = rng.choices(statuses[0], cum_weights=statuses[1])[0]
        household.update(
            status=status,
            file_number=self.file_numbers.allocate(rng.choice(FILING_YEARS)) if status in FILED else "",
            member_count=len(people),
            imputed_members=result.imputed_members,
            annual_income=result.annual_income,
            per_capita_income=result.per_capita_income,
            tier=str(result.tier),
            standard_id=standard.pk,
            bank_card_luhn_ok=True,
            version=1,
            created_by_id=None,
            updated_by_id=None,
            created_at=self.now,
            updated_at=self.now,
        )
        live = status not in NOT_LIVE
        for position, person in enumerate(people):
            person.update(position=position, removed=False, is_live=live)
        return household, people

    # The people -------------------------------------------------------------------------------

    def _people(self, area: str) -> tuple[list[dict], bool]:
        rng = self.rng
        head_age = rng.randint(26, 59)
        head_male = rng.random() < 0.55
        surname = rng.choice(SURNAMES)
        people = [self._person(area, SELF, head_age, head_male, surname)]
        married = rng.random() < 0.72
        # Children carry the father's surname; a wife keeps her own.
        family_name = surname
        if married:
            spouse_age = max(22, min(head_age + rng.randint(-5, 5), 64))
            spouse_name = rng.choice(SURNAMES)
            people.append(self._person(area, SPOUSE, spouse_age, not head_male, spouse_name))
            family_name = surname if head_male else spouse_name
        for _ in range(rng.choices(CHILDREN[0], cum_weights=CHILDREN[1])[0]):
            child_age = head_age - rng.randint(22, 36)
            if child_age >= 0 and len(people) < 5:
                people.append(self._person(area, CHILD, child_age, rng.random() < 0.5, family_name))
        if len(people) < 5 and rng.random() < 0.2:
            parent_age = min(head_age + rng.randint(22, 32), 92)
            father = rng.random() < 0.5
            people.append(self._person(area, PARENT, parent_age, father, surname if father else rng.choice(SURNAMES)))
        single_parent = not married and len(people) > 1 and any(p["relation"] == CHILD for p in people)
        return people, single_parent

    def _person(self, area: str, relation: str, age: int, male: bool, surname: str) -> dict:
        rng = self.rng
        birth = REFERENCE_DATE - timedelta(days=age * 365 + age // 4 + rng.randint(1, 364))
        id_number, birth = self.ids.allocate(area, birth, male)
        given = GIVEN_MALE if male else GIVEN_FEMALE
        name = surname + rng.choice(given) + (rng.choice(given) if rng.random() < 0.7 else "")
        health = HEALTHY
        if age >= 18 or rng.random() < 0.3:
            draw = rng.random()
            health = HEALTHY if draw < 0.70 else CHRONIC if draw < 0.87 else rng.choice(SERIOUS)
        disability = rng.choice(DISABILITIES) if rng.random() < 0.07 else NO_DISABILITY
        work, school = _work_and_school(rng, age, health, disability)
        at_work = INSURED_AT_WORK if work == EMPLOYED else RESIDENT_INSURANCE
        insurance = UNINSURED if rng.random() < 0.04 else at_work
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
            "medical_insurance": insurance,
            **_work_income(_monthly_income(rng, work), work),
        }

    # Money, causes, bank ----------------------------------------------------------------------

    def _money(self, people: list[dict]) -> tuple[dict, tuple[str, str] | None]:
        rng = self.rng
        medical = disability = schooling = 0
        for person in people:
            if person["health"] in SERIOUS:
                medical += _amount(rng, 20_000, 150_000)
            elif person["health"] == CHRONIC:
                medical += _amount(rng, 2_000, 12_000)
            if person["disability"] != NO_DISABILITY:
                disability += _amount(rng, 2_000, 10_000)
            if person["school_level"]:
                schooling += _amount(rng, *SCHOOL_COST[person["school_level"]])
        sudden = _amount(rng, 30_000, 200_000) if rng.random() < 0.04 else 0
        event = rng.choice(SUDDEN_EVENTS) if sudden else None
        # The household's other sources are the head's (income is recorded per member and source).
        head = people[0]
        head["income_property"] = Decimal(_amount(rng, 1_200, 6_000) if rng.random() < 0.05 else 0)
        head["income_transfer"] = Decimal(_amount(rng, 3_600, 14_760) if rng.random() < 0.3 else 0)
        head["income_union_aid"] = Decimal(rng.choice((0, 0, 1400, 2800, 4200)))
        money = {
            "expense_medical": Decimal(medical),
            "expense_disability": Decimal(disability),
            "expense_schooling": Decimal(schooling),
            "sudden_event_cost": Decimal(sudden),
            "sudden_event_note": f"{rng.choice(FILING_YEARS)} 年 {rng.randint(1, 12)} 月{event[1]}" if event else "",
        }
        return money, event

    def _causes(self, people: list[dict], sudden_event) -> dict:
        """The main cause follows the facts (event, illness, work); up to three more as secondary."""
        rng = self.rng
        head = people[0]
        facts = []
        if sudden_event:
            facts.append(sudden_event[0])
        if any(p["health"] in SERIOUS for p in people):
            facts.append(Cause.SERIOUS_ILLNESS.value)
        if head["work_status"] == UNEMPLOYED:
            facts.append(rng.choice((Cause.LAID_OFF, Cause.ABLE_UNEMPLOYED)).value)
        if head["work_status"] == UNABLE or head["disability"] != NO_DISABILITY:
            facts.append(Cause.NO_WORK_ABILITY.value)
        if any(p["school_level"] for p in people):
            facts.append(Cause.SCHOOLING.value)
        if any(p["medical_insurance"] == UNINSURED for p in people):
            facts.append(Cause.NO_SOCIAL_INSURANCE.value)
        facts = list(dict.fromkeys(facts)) or [rng.choice((Cause.OTHER, Cause.INSURANCE_NOT_PAID)).value]
        return {"main_cause": facts[0], "secondary_causes": facts[1:4]}

    def _bank(self) -> dict:
        rng = self.rng
        if rng.random() < 0.08:
            return {"bank_name": "", "bank_branch": "", "bank_card": ""}
        bank, bin_prefix, branches = rng.choice(BANKS)
        return {"bank_name": bank, "bank_branch": rng.choice(branches), "bank_card": card_number(bin_prefix, rng)}


def _amount(rng: random.Random, low: int, high: int) -> int:
    """A round amount (to 10 yuan) between low and high."""
    return rng.randint(low // 10, high // 10) * 10


def _housing_cost(rng: random.Random, housing: str) -> Decimal:
    if housing == RENTED:
        return Decimal(_amount(rng, 6_000, 18_000))
    if housing == PUBLIC_HOUSING:
        return Decimal(_amount(rng, 2_400, 6_000))
    return ZERO


def _work_and_school(rng: random.Random, age: int, health: str, disability: str) -> tuple[str, str]:
    if age < 3:
        return PRESCHOOL, ""
    if age < 6:
        return PRESCHOOL, KINDERGARTEN
    if age < 12:
        return STUDENT, PRIMARY
    if age < 15:
        return STUDENT, JUNIOR
    if age < 18:
        return STUDENT, SENIOR
    if age >= 60:
        return (RETIRED if rng.random() < 0.8 else UNABLE), ""
    if health in SERIOUS or (disability != NO_DISABILITY and rng.random() < 0.6):
        return UNABLE, ""
    if age < 23 and rng.random() < 0.6:
        return STUDENT, UNIVERSITY
    return rng.choices(ADULT_WORK[0], cum_weights=ADULT_WORK[1])[0], ""


def _work_income(monthly: Decimal, work: str) -> dict:
    incomes = dict.fromkeys(INCOME_SOURCES, ZERO)
    if monthly and work in SOURCE_OF_WORK:
        incomes[SOURCE_OF_WORK[work]] = monthly * 12
    return incomes


def _monthly_income(rng: random.Random, work: str) -> Decimal:
    if work == EMPLOYED:
        return Decimal(_amount(rng, 2_490, 4_800))
    if work == FLEXIBLE:
        return Decimal(_amount(rng, 800, 2_500))
    if work == RETIRED:
        return Decimal(_amount(rng, 1_500, 3_200))
    return ZERO
