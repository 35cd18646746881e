import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_dashboard_bench_prints_its_json_last(dataset):
    out = io.StringIO()

    call_command("bench_dashboard", requests=3, warmup=1, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert result["households"] == 7 and result["requests"] == 3
    assert result["dashboard_p95_ms"] >= result["dashboard_p50_ms"] > 0
