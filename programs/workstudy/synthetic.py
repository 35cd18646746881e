"""Synthetic 关爱·圆梦 seasons for the benchmark and the property tests: shaped like Wuxi's figures.

Hundreds of enterprises, thousands of positions of 1–5 places, a few popular
positions most students want, a fifth not for minors, students of 15–22 with
up to five choices each. Deterministic for a seed.
"""

import random
from itertools import accumulate

from .matching import ADULT_AGE, Candidate, Opening, lottery

GROUP_SHARES = [(0, 10), (1, 15), (2, 35), (3, 15), (4, 25)]  # 特困 … 优秀学生, in percent
AGE_SHARES = [(15, 5), (16, 15), (17, 20), (18, 20), (19, 15), (20, 12), (21, 8), (22, 5)]


def _pick(rng: random.Random, shares: list[tuple[int, int]]) -> int:
    values, weights = zip(*shares, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def synthetic_season(
    *, students: int, positions: int, seed: int = 1, min_age: int = 16
) -> tuple[list[Candidate], list[Opening]]:
    rng = random.Random(seed)  # noqa: S311 — reproducible test data, not secrets
    openings = []
    for key in range(1, positions + 1):
        roll = rng.random()
        levels = (
            frozenset({"university"})
            if roll < 0.15
            else frozenset({"senior", "university"})
            if roll < 0.3
            else frozenset()
        )
        adults_only = rng.random() < 0.2
        position_min = ADULT_AGE if rng.random() < 0.1 else 0
        openings.append(
            Opening(
                key=key,
                places=rng.choice((1, 1, 2, 2, 2, 3, 5)),
                min_age=max(min_age, position_min),
                adults_only=adults_only,
                school_levels=levels,
            )
        )
    # Popularity: a long tail, shuffled so popular positions are spread over the ids.
    weights = [1 / (rank + 10) ** 0.9 for rank in range(positions)]
    rng.shuffle(weights)
    cumulative = list(accumulate(weights))
    keys = [o.key for o in openings]
    candidates = []
    for key in range(1, students + 1):
        age = _pick(rng, AGE_SHARES)
        level = (
            "university" if age >= 19 else ("junior" if age == 15 or (age == 16 and rng.random() < 0.1) else "senior")
        )
        wanted = rng.choice((1, 2, 3, 4, 5, 5, 5))
        listed: list[int] = []
        while len(listed) < wanted:
            for position in rng.choices(keys, cum_weights=cumulative, k=wanted):
                if position not in listed and len(listed) < wanted:
                    listed.append(position)
        candidates.append(
            Candidate(
                key=key,
                group=_pick(rng, GROUP_SHARES),
                lottery=lottery(f"bench-{seed}", key),
                age=age,
                school_level=level,
                preferences=listed,
                excluded="under_age" if age < min_age else "",
            )
        )
    return candidates, openings
