"""Benchmark the 关爱·圆梦 matching on a synthetic season, in memory.

    python manage.py bench_matching --students 10000 --positions 5000 [--seed 1]

Prints a short summary, then one JSON object as the last line. ``verified`` is
true only when the independent check (programs.workstudy.matching.verify) finds
capacity and the age rules kept and no blocking pair.
"""

import json
import time

from django.core.management.base import BaseCommand

from programs.workstudy.matching import deferred_acceptance, verify
from programs.workstudy.synthetic import synthetic_season


class Command(BaseCommand):
    help = "Run the work-study matching on synthetic data and check it; the last line is JSON."

    def add_arguments(self, parser):
        parser.add_argument("--students", type=int, default=10_000)
        parser.add_argument("--positions", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--min-age", type=int, default=16)

    def handle(self, *args, students: int, positions: int, seed: int, min_age: int, **options):
        started = time.perf_counter()
        candidates, openings = synthetic_season(students=students, positions=positions, seed=seed, min_age=min_age)
        generated = time.perf_counter() - started

        started = time.perf_counter()
        outcomes = deferred_acceptance(candidates, openings)
        seconds = time.perf_counter() - started

        started = time.perf_counter()
        assignment = {key: outcome.position for key, outcome in outcomes.items()}
        check = verify(candidates, openings, assignment, season_min_age=min_age)
        verify_seconds = time.perf_counter() - started

        placed = sum(1 for position in assignment.values() if position is not None)
        places = sum(o.places for o in openings)
        self.stdout.write(
            f"synthetic season: {students} students, {positions} positions ({places} places), "
            f"generated in {generated:.2f} s"
        )
        self.stdout.write(f"deferred acceptance: {placed} placed in {seconds:.3f} s")
        self.stdout.write(f"independent check: {'ok' if check.ok else 'FAILED'} in {verify_seconds:.3f} s")
        for problem in check.problems:
            self.stdout.write(f"  {problem}")
        self.stdout.write(
            json.dumps(
                {
                    "students": students,
                    "positions": positions,
                    "places": places,
                    "seconds": round(seconds, 3),
                    "placed": placed,
                    "verified": check.ok,
                    "blocking_pairs": check.blocking_pairs,
                    "verify_seconds": round(verify_seconds, 3),
                    "method": "student-proposing deferred acceptance",
                }
            )
        )
