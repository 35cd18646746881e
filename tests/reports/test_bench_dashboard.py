import io
import json

import pytest
from django.core.management import call_command

from programs.reports.models import DashboardSnapshot

pytestmark = pytest.mark.django_db


def test_the_dashboard_bench_prints_its_json_last(dataset):
    out = io.StringIO()

    call_command("bench_dashboard", requests=3, warmup=1, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["households"] == 7 and result["requests"] == 3
    assert result["dashboard_p95_ms"] >= result["dashboard_p50_ms"] > 0
    # The bench refreshed the summary first, so the pages it timed read a snapshot.
    assert result["refresh_s"] >= 0 and DashboardSnapshot.objects.count() == 1


def test_the_live_bench_drops_the_snapshots_and_times_the_live_figures(dataset):
    call_command("bench_dashboard", requests=1, warmup=0, stdout=io.StringIO())
    out = io.StringIO()

    call_command("bench_dashboard", requests=1, warmup=0, live=True, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["refresh_s"] is None and not DashboardSnapshot.objects.exists()
