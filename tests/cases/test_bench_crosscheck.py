"""bench_crosscheck: makes its households, matches its roll, prints its JSON last, leaves no findings behind."""

import io
import json

import pytest
from django.core.management import call_command

from cases.crosscheck.models import Finding, Flag
from cases.models import Household

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_the_bench_matches_every_n_th_roll_row_and_keeps_nothing_of_the_match():
    out = io.StringIO()

    call_command("bench_crosscheck", households=40, roll=200, hit_every=10, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert (result["households"], result["members"], result["roll_rows"]) == (40, 80, 200)
    assert (result["matched"], result["flags"], result["unmatched"], result["malformed"]) == (20, 20, 180, 0)
    # The match includes a COPY of the same file: it never takes less than the bare one.
    assert result["match_s"] > result["copy_floor_s"] >= 0 and result["commit_checks_s"] >= 0
    assert Household.objects.count() == 40
    assert not Finding.objects.exists() and not Flag.objects.exists()


def test_a_second_run_reuses_the_households():
    call_command("bench_crosscheck", households=10, roll=20, stdout=io.StringIO())
    out = io.StringIO()

    call_command("bench_crosscheck", households=10, roll=20, stdout=out)

    assert "setup: 0 households made" in out.getvalue()
    assert Household.objects.count() == 10
