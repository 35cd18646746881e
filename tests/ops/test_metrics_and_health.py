"""Metrics, liveness and readiness, request ids: what the machine room watches."""

import io
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from hardship import requestid
from hardship.celery import app
from hardship.models import Union, User
from ops.models import Heartbeat
from ops.tasks import beat_heartbeat
from programs.assistance import services
from programs.assistance.models import Batch
from programs.assistance.periods import quarter_of


@app.task(name="tests.ops.always_fails")
def always_fails():
    raise RuntimeError("the bank's server did not answer")


def scrape(client, address="127.0.0.1") -> dict:
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 200
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples}  # fmt: skip


def test_metrics_after_a_batch_show_its_duration_and_rows(db, client, django_capture_on_commit_callbacks):
    call_command("seed_demo", stdout=io.StringIO())
    computed = (("outcome", "computed"),)
    before = scrape(client).get(("portal_batch_duration_seconds_count", computed), 0)

    with django_capture_on_commit_callbacks(execute=True):  # the compute task runs at commit (eager)
        batch = services.batch_start(
            actor=User.objects.get(username="centre"),
            union=Union.objects.get(code="WX"),
            period=quarter_of(timezone.localdate()).key,
            confirmed=True,
        )

    batch = Batch.objects.get(pk=batch.pk)
    after = scrape(client)
    assert batch.status == Batch.Status.COMPUTED and batch.created_count > 0
    assert after[("portal_batch_duration_seconds_count", computed)] == before + 1
    assert after[("portal_batch_duration_seconds_sum", computed)] > 0
    assert after[("portal_batch_last_rows", ())] == batch.created_count
    assert after[("portal_batch_rows_total", ())] >= batch.created_count


def test_metrics_are_a_404_from_an_address_outside_the_allowed_networks(db, client, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    settings.METRICS_ALLOWED_NETS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_server_error_is_counted_by_view(in_scope_user, monkeypatch):
    from cases import views

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(views.selectors, "household_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(in_scope_user)
    key = ("django_http_responses_total_by_status_view_method_total",
           (("method", "GET"), ("status", "500"), ("view", "cases:household_list")))  # fmt: skip
    before = scrape(client).get(key, 0)

    assert client.get(reverse("cases:household_list")).status_code == 500

    assert scrape(client)[key] == before + 1


def test_failed_tasks_and_login_lockouts_are_counted(db, client, tree):
    User.objects.create_user(username="zhang", password="right-password-1")
    before = scrape(client)
    always_fails.apply(throw=False)  # traced as a worker traces it: the error is recorded, not raised
    for _ in range(5):
        client.post(reverse("login"), {"username": "zhang", "password": "wrong"}, REMOTE_ADDR="10.9.9.9")

    after = scrape(client)
    failed = ("portal_task_failures_total", (("task", "tests.ops.always_fails"),))
    assert after[failed] == before.get(failed, 0) + 1
    assert after[("portal_login_lockouts_total", ())] == before.get(("portal_login_lockouts_total", ()), 0) + 1


def test_liveness_answers_and_healthz_keeps_its_shape(db, client):
    assert client.get("/healthz/live").json() == {"status": "ok"}
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_readiness_fails_when_beats_heartbeat_is_stale_and_passes_once_it_beats(db, client, settings):
    settings.READINESS_REQUIRES_BEAT = True
    settings.BEAT_HEARTBEAT_STALE_SECONDS = 300

    missing = client.get("/healthz/ready")
    Heartbeat.objects.create(name="beat", at=timezone.now() - timedelta(minutes=6))
    stale = client.get("/healthz/ready")
    beat_heartbeat.delay()  # what beat sends every minute (run eagerly here)
    fresh = client.get("/healthz/ready")

    assert missing.status_code == 503 and missing.json()["beat"].startswith("error")
    assert stale.status_code == 503 and "old" in stale.json()["beat"] and stale.json()["database"] == "ok"
    assert fresh.status_code == 200
    assert fresh.json() == {"status": "ok", "database": "ok", "broker": "ok", "migrations": "ok", "beat": "ok"}


def test_readiness_fails_while_a_migration_is_not_applied(db, client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("ops", "0002_next")])

    answer = client.get("/healthz/ready")

    assert answer.status_code == 503 and answer.json()["migrations"] == "error: 1 migrations not applied"


def test_a_request_id_is_answered_logged_and_carried_into_the_tasks_it_queues(db, client, caplog):
    given = client.get("/healthz/live", HTTP_X_REQUEST_ID="proxy-req-12345678")
    made = client.get("/healthz/live", HTTP_X_REQUEST_ID="bad id with spaces")
    assert given["X-Request-ID"] == "proxy-req-12345678"
    assert len(made["X-Request-ID"]) == 32 and made["X-Request-ID"] != "bad id with spaces"

    token = requestid.REQUEST_ID.set("req-abcdef123")
    try:
        headers = {}
        requestid.task_publishing(headers=headers)
        record = logging.LogRecord("portal", logging.WARNING, __file__, 1, "银行文件已下载", None, None)
        requestid.RequestIdFilter().filter(record)
        line = json.loads(requestid.JsonFormatter().format(record))
    finally:
        requestid.REQUEST_ID.reset(token)
    assert headers == {"request_id": "req-abcdef123"}
    assert line["request_id"] == "req-abcdef123" and line["message"] == "银行文件已下载"

    requestid.task_starting(task=SimpleNamespace(request=SimpleNamespace(request_id="req-abcdef123")))
    assert requestid.REQUEST_ID.get() == "req-abcdef123"  # the worker's log lines carry it
    requestid.task_finished()
    assert requestid.REQUEST_ID.get() == ""
