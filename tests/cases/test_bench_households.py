"""bench_households: runs on a small dataset, prints its JSON last, leaves the data as it was."""

import io
import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from cases.models import HomeVisit, Household, Member
from hardship.models import AuditEvent, Role, User
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

KEYS = {"households", "list_p50_ms", "list_p95_ms", "admin_p50_ms", "admin_p95_ms", "ratio", "detail_queries",
        "import_10k_s"}  # fmt: skip


def test_the_bench_refuses_to_run_without_data(tree):
    with pytest.raises(CommandError, match="No household files"):
        call_command("bench_households", stdout=io.StringIO())


def test_the_bench_reports_its_json_last_and_changes_nothing(tree, standard):
    call_command("generate_households", count=40, seed=3, union=tree["city"].code, stdout=io.StringIO())
    user_with_role(Role.CENTRE_STAFF, tree["city"], username="city_centre")
    before = _counts()
    out = io.StringIO()

    call_command("bench_households", requests=2, warmup=1, import_rows=25, stdout=out)

    result = json.loads(out.getvalue().strip().splitlines()[-1])
    assert set(result) >= KEYS
    assert result["households"] == 40
    assert result["list_p95_ms"] > 0 and result["admin_p95_ms"] > 0 and result["import_10k_s"] > 0
    assert result["import_rows"] == 25
    # 15, and one for the payments a filed file's history shows (read from the ledger: programs.history).
    assert result["detail_queries"] <= 16
    assert _counts() == before
    assert not HomeVisit.objects.exists()


def _counts() -> tuple[int, ...]:
    models = (Household, Member, User, AuditEvent, Session)
    return tuple(model.objects.count() for model in models)
