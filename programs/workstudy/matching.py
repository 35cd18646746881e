"""The 关爱·圆梦 matching: student-proposing deferred acceptance with hardship-tier priorities.

Pure Python, no Django: the service feeds it plain records and stores what it
returns, the benchmark feeds it synthetic data. Why this method and not an
assignment solver: docs/workstudy-matching.md.

- Students propose to the positions on their list (at most five, in their order).
- A position keeps the best students up to its places, ranked by priority:
  hardship group first (特困, 深度, 相对, others, 优秀学生 last), then a
  lottery number fixed per season (a public, reproducible tie-break).
- The result is the student-optimal stable matching: no student and position
  would both rather be matched to each other ("no blocking pair"); so a 特困
  student is never displaced by a lower-priority student from a position both
  ranked, and reporting one's true preferences is always a student's best move.

``verify`` re-checks a result from the raw inputs without using any of the
matcher's state: capacity, the age rules, and the absence of blocking pairs.
"""

import hashlib
from collections import deque
from dataclasses import dataclass, field
from heapq import heappush, heapreplace

ADULT_AGE = 18
MAX_PREFERENCES = 5

# Why a student did not get a position they listed (codes; explain.py words them).
FULL_HIGHER = "full_higher"  # every place went to students of a higher hardship group
FULL_SAME = "full_same"  # full, some places went to the same group with an earlier lottery number
NO_PLACES = "no_places"  # the position offers no places
ADULTS_ONLY = "adults_only"  # not for minors and the student is 16 or 17
TOO_YOUNG = "too_young"  # below the position's minimum age
SCHOOL_LEVEL = "school_level"  # the position asks for another school level
UNAVAILABLE = "unavailable"  # withdrawn, or not in this season


def lottery(seed: str, key: int) -> int:
    """A season's reproducible tie-break number for one student (40 bits)."""
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=5).digest()
    return int.from_bytes(digest, "big")


@dataclass(slots=True)
class Candidate:
    key: int
    group: int  # 0 = 特困 … 4 = 优秀学生; lower is served first
    lottery: int
    age: int  # on the season's start date
    school_level: str
    preferences: list[int]  # position keys, best first
    excluded: str = ""  # a reason code when the student takes no part (e.g. under the season's minimum age)

    @property
    def priority(self) -> tuple[int, int, int]:
        return (self.group, self.lottery, self.key)


@dataclass(slots=True)
class Opening:
    key: int
    places: int
    min_age: int  # already the larger of the season's and the position's minimum
    adults_only: bool
    school_levels: frozenset[str] = frozenset()  # empty: any level
    available: bool = True


@dataclass(slots=True)
class Outcome:
    position: int | None = None
    rank: int | None = None  # 1-based rank of ``position`` on the student's list
    # (rank, position key, reason code) for every listed position above the one obtained.
    passed_over: list[tuple[int, int, str]] = field(default_factory=list)


def refusal(candidate: Candidate, opening: Opening | None) -> str:
    """Why ``opening`` cannot take ``candidate`` whatever the competition; "" when it can."""
    if opening is None or not opening.available:
        return UNAVAILABLE
    if opening.adults_only and candidate.age < ADULT_AGE:
        return ADULTS_ONLY
    if candidate.age < opening.min_age:
        return TOO_YOUNG
    if opening.school_levels and candidate.school_level not in opening.school_levels:
        return SCHOOL_LEVEL
    return ""


def _rank_number(candidate: Candidate) -> int:
    # One integer that orders like ``priority``: cheaper to compare in the heaps.
    return (candidate.group << 96) | (candidate.lottery << 48) | candidate.key


def deferred_acceptance(candidates: list[Candidate], openings: list[Opening]) -> dict[int, Outcome]:
    """Match students to positions; returns an Outcome for every candidate, by key.

    O(P log C) for P proposals (at most five per student) and C places per position.
    """
    by_key = {o.key: o for o in openings}
    outcomes: dict[int, Outcome] = {}
    acceptable: dict[int, list[tuple[int, int]]] = {}  # student → [(rank, position)]
    refused: dict[int, list[tuple[int, int, str]]] = {}
    number: dict[int, int] = {}
    for c in candidates:
        outcomes[c.key] = Outcome()
        if c.excluded:
            continue
        ok, no = [], []
        for rank, position in enumerate(c.preferences[:MAX_PREFERENCES], start=1):
            reason = refusal(c, by_key.get(position))
            if reason:
                no.append((rank, position, reason))
            else:
                ok.append((rank, position))
        acceptable[c.key], refused[c.key], number[c.key] = ok, no, _rank_number(c)

    # held[p]: a max-heap (by negated rank number) of the students p holds now.
    held: dict[int, list[tuple[int, int]]] = {o.key: [] for o in openings}
    next_choice = dict.fromkeys(acceptable, 0)
    free = deque(acceptable)
    while free:
        student = free.popleft()
        choices = acceptable[student]
        index = next_choice[student]
        if index >= len(choices):
            continue  # rejected everywhere: stays unplaced
        next_choice[student] = index + 1
        position = choices[index][1]
        places = by_key[position].places
        heap = held[position]
        if len(heap) < places:
            heappush(heap, (-number[student], student))
        elif places and number[student] < -heap[0][0]:
            _, bumped = heapreplace(heap, (-number[student], student))
            free.append(bumped)
        else:
            free.append(student)

    group = {c.key: c.group for c in candidates}
    for position, heap in held.items():
        for _, student in heap:
            outcomes[student].position = position
    for student, choices in acceptable.items():
        outcome = outcomes[student]
        rank_of = dict((p, r) for r, p in choices)
        if outcome.position is not None:
            outcome.rank = rank_of[outcome.position]
        limit = outcome.rank or MAX_PREFERENCES + 1
        passed = [item for item in refused[student] if item[0] < limit]
        for rank, position in choices:
            if rank >= limit:
                break
            holders = held[position]
            if not by_key[position].places:
                reason = NO_PLACES
            elif all(group[s] < group[student] for _, s in holders):
                reason = FULL_HIGHER
            else:
                reason = FULL_SAME
            passed.append((rank, position, reason))
        outcome.passed_over = sorted(passed)
    return outcomes


@dataclass
class Verification:
    ok: bool
    problems: list[str]
    blocking_pairs: int = 0


def verify(
    candidates: list[Candidate],
    openings: list[Opening],
    assignment: dict[int, int | None],
    *,
    season_min_age: int,
    max_problems: int = 20,
) -> Verification:
    """Check a matching from the raw inputs: every rule, and stability (no blocking pair).

    Deliberately does not call ``refusal`` or read the matcher's state: an
    error there must not hide itself here.
    """
    problems: list[str] = []
    by_key = {o.key: o for o in openings}
    holders: dict[int, list[Candidate]] = {o.key: [] for o in openings}
    for c in candidates:
        position = assignment.get(c.key)
        if position is None:
            continue
        o = by_key.get(position)
        if o is None or not o.available:
            problems.append(f"student {c.key}: placed at unavailable position {position}")
            continue
        if c.excluded or c.age < season_min_age:
            problems.append(f"student {c.key}: excluded ({c.excluded or 'age'}) but placed")
        if position not in c.preferences[:MAX_PREFERENCES]:
            problems.append(f"student {c.key}: placed at {position}, which is not on the list")
        if c.age < max(o.min_age, season_min_age):
            problems.append(f"student {c.key} (age {c.age}): below the minimum age {o.min_age} of {position}")
        if o.adults_only and c.age < ADULT_AGE:
            problems.append(f"student {c.key} (age {c.age}): a minor at not-for-minors position {position}")
        if o.school_levels and c.school_level not in o.school_levels:
            problems.append(f"student {c.key}: school level {c.school_level!r} not accepted by {position}")
        holders[position].append(c)
    for key, held in holders.items():
        if len(held) > by_key[key].places:
            problems.append(f"position {key}: {len(held)} students for {by_key[key].places} places")
    worst = {key: max((c.priority for c in held), default=None) for key, held in holders.items()}

    blocking = 0
    for c in candidates:
        if c.excluded or c.age < season_min_age:
            continue
        current = assignment.get(c.key)
        for position in c.preferences[:MAX_PREFERENCES]:
            if position == current:
                break
            o = by_key.get(position)
            if o is None or not o.available or o.places == 0:
                continue
            if c.age < max(o.min_age, season_min_age) or (o.adults_only and c.age < ADULT_AGE):
                continue
            if o.school_levels and c.school_level not in o.school_levels:
                continue
            has_room = len(holders[position]) < o.places
            if has_room or (worst[position] is not None and c.priority < worst[position]):
                blocking += 1
                if len(problems) < max_problems:
                    problems.append(f"blocking pair: student {c.key} and position {position}")
    return Verification(ok=not problems, problems=problems[:max_problems], blocking_pairs=blocking)
