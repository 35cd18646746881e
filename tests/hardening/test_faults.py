"""Faults on real services: the database connection dropped during a request, the broker down.

Requests go through Django's real WSGIHandler, as gunicorn sends them: request_started and
request_finished fire, so connections are checked and closed as in production (the test
Client skips exactly that). The user sees a clear Chinese page, nothing is half-saved and
the next request succeeds by itself.
"""

import contextlib
import io
import os
import shutil
import socket
import subprocess
import time
from datetime import date

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from cases.models import HardshipStandard, Household, Member
from cases.services import households as household_services
from hardship.identity import make_id_number
from hardship.models import Role, Union
from programs.assistance.models import Batch, Entitlement
from programs.assistance.periods import quarter_of
from tests.cases.conftest import WUXI, form_post, member_row
from tests.conftest import redis_available, require
from tests.factories import user_with_role

pytestmark = [pytest.mark.postgres]


class Wsgi:
    """A browser talking to the WSGI application: session and CSRF cookies, status, headers, body."""

    def __init__(self, user=None):
        self.handler = WSGIHandler()
        self.factory = RequestFactory()
        self.csrf = get_random_string(32)
        self.factory.cookies[settings.CSRF_COOKIE_NAME] = self.csrf
        if user is not None:
            client = Client()
            client.force_login(user)
            self.factory.cookies[settings.SESSION_COOKIE_NAME] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def _send(self, request):
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

        result = self.handler(request.environ, start_response)
        try:
            body = b"".join(result)
        finally:
            result.close()  # what gunicorn does: fires request_finished
        return answer["status"], answer["headers"], body.decode()

    def get(self, path):
        return self._send(self.factory.get(path))

    def post(self, path, data):
        return self._send(self.factory.post(path, data, HTTP_X_CSRFTOKEN=self.csrf))


def terminate_backend(pid: int) -> None:
    """pg_terminate_backend from another connection, waiting until the backend is gone."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()


def backend_pid() -> int:
    return connection.connection.info.backend_pid


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _household_post(union):
    return form_post(union, [
        member_row("self", "蒋建华", make_id_number("320206", date(1978, 3, 12), 501)),
        member_row("child", "蒋晓明", make_id_number("320206", date(2008, 9, 1), 502), "student"),
    ])  # fmt: skip


@pytest.fixture
def grassroots(transactional_db, tree):
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    return user_with_role(Role.GRASSROOTS_STAFF, tree["company"], username="wanglihua")


def test_the_connection_dropped_while_saving_a_household_shows_a_503_page_and_saves_nothing(
    grassroots, tree, monkeypatch
):
    browser = Wsgi(grassroots)
    create, listing = reverse("cases:household_create"), reverse("cases:household_list")
    killed = []
    save_members = household_services._save_members

    def drop_the_connection_then_save(household, members):
        # The household row is written; the members are next, inside the same transaction.
        assert household.pk
        killed.append(backend_pid())
        terminate_backend(killed[-1])
        return save_members(household, members)

    monkeypatch.setattr(household_services, "_save_members", drop_the_connection_then_save)
    status, headers, body = browser.post(create, _household_post(tree["company"]))

    assert killed, "the fault was not injected"
    assert status == 503 and headers["Retry-After"] == "30"
    assert "与数据库或后台任务服务的连接暂时中断" in body and "不会被部分保存" in body
    assert "Traceback" not in body and "OperationalError" not in body and "psycopg" not in body

    # The next request, through the same handler and thread, succeeds by itself.
    monkeypatch.undo()
    status, _headers, body = browser.get(listing)
    assert status == 200 and "蒋建华" not in body
    assert backend_pid() != killed[0]
    assert Household.objects.count() == 0 and Member.objects.count() == 0  # all or nothing

    status, headers, _body = browser.post(create, _household_post(tree["company"]))
    household = Household.objects.get()
    assert status == 302 and headers["Location"] == reverse("cases:household_detail", args=[household.pk])
    assert household.members.count() == 2


def test_a_statement_timeout_is_a_server_error_page_not_an_outage(db):
    """Only a lost connection is a 503 ("try again shortly"): a timeout, a deadlock or a serialization
    failure is the application's fault and gets the 500 page, so monitoring does not see an outage."""
    from django.db import OperationalError, transaction

    from hardship.errors import server_error

    request = RequestFactory().get("/cases/")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(1)")
    except OperationalError:
        response = server_error(request)

    assert response.status_code == 500 and "Retry-After" not in response


def test_a_persistent_connection_killed_between_requests_is_replaced_without_an_error(grassroots):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    browser = Wsgi(grassroots)
    listing = reverse("cases:household_list")
    assert browser.get(listing)[0] == 200
    old = backend_pid()  # kept open after the request (CONN_MAX_AGE)

    terminate_backend(old)
    status, _headers, body = browser.get(listing)

    assert status == 200 and "家庭档案" in body
    assert backend_pid() != old


# --- /healthz: the database and the broker ---------------------------------------------------


@contextlib.contextmanager
def celery_broker(url: str):
    """Point this process's Celery app (producer pool and result backend) at another broker."""
    from kombu import pools as kombu_pools

    from hardship.celery import app

    def reset():
        # kombu keeps its pools in process-wide registries keyed by URL: closing only the app's pool
        # left a closed pool registered there, and every later test that reached the broker failed
        # with "Acquire on closed pool". kombu.pools.reset() closes them and empties the registries.
        kombu_pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
        with contextlib.suppress(AttributeError):
            del app._local.backend

    before = app.conf.broker_url, app.conf.result_backend, settings.CELERY_BROKER_URL
    app.conf.broker_url = app.conf.result_backend = url
    settings.CELERY_BROKER_URL = url
    reset()
    try:
        yield app
    finally:
        app.conf.broker_url, app.conf.result_backend, settings.CELERY_BROKER_URL = before
        reset()


def test_healthz_answers_200_when_the_database_and_the_broker_answer(client, db):
    require(redis_available(), "Redis (REDIS_URL)")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_answers_503_when_the_broker_is_down(client, db):
    with celery_broker(f"redis://127.0.0.1:{closed_port()}/0"):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["database"] == "ok" and body["broker"].startswith("error")


def test_healthz_answers_503_when_the_database_is_down_and_200_once_it_is_back(client, transactional_db):
    require(redis_available(), "Redis (REDIS_URL)")
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = closed_port()
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    assert response.status_code == 503
    assert response.json()["database"].startswith("error") and response.json()["broker"] == "ok"
    assert client.get("/healthz").status_code == 200


# --- Redis stopped and restarted during a batch ---------------------------------------------


class RedisServer:
    """A redis-server of this test's own (not the shared one), without persistence: a restart
    loses every queued and unacknowledged message, the harshest case."""

    def __init__(self, directory):
        self.port, self.directory, self.proc = closed_port(), directory, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        import redis

        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(port=self.port, socket_connect_timeout=1).ping():
                    return
            time.sleep(0.1)
        pytest.fail("our redis-server did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    require(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _wait_batch(batch, statuses, timeout=180, finished_after=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        batch.refresh_from_db()
        if batch.status in statuses and (finished_after is None or batch.finished_at > finished_after):
            return batch
        time.sleep(0.2)
    pytest.fail(f"batch {batch.period} stayed {batch.status} (wanted {statuses})")


def _wait_worker(app, node, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if app.control.ping(destination=[node], timeout=1):
                return
        time.sleep(0.5)
    pytest.fail("the worker did not reconnect to the restarted Redis")


class _HeldEntitlements:
    def __init__(self, other):
        self.other = other

    def wait_for_a_waiting_insert(self, timeout=60):
        """Until a backend waits for the lock on the entitlement table (the batch's first insert)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.other.cursor() as cursor:
                cursor.execute(
                    "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                    "WHERE c.relname = 'programs_entitlement' AND NOT l.granted"
                )
                if cursor.fetchone()[0]:
                    return
            time.sleep(0.05)
        pytest.fail("the batch never reached its first insert")


@contextlib.contextmanager
def entitlements_held():
    """Hold a SHARE lock on the entitlement table from a connection of its own: reads go on, every
    insert waits until the block ends. A state the test holds, instead of racing the batch."""
    other = connections.create_connection("default")
    other.set_autocommit(False)
    try:
        with other.cursor() as cursor:
            cursor.execute("LOCK TABLE programs_entitlement IN SHARE MODE")
        yield _HeldEntitlements(other)
    finally:
        other.rollback()
        other.close()


def _assert_one_entitlement_per_key():
    duplicates = (Entitlement.objects.values("household_id", "program_id", "period_key")
                  .annotate(n=Count("id")).filter(n__gt=1))  # fmt: skip
    assert not duplicates.exists()


@pytest.mark.celery_worker
def test_redis_stopped_and_restarted_during_a_batch(own_redis, worker_factory):
    call_command("seed_demo", stdout=io.StringIO())
    call_command("generate_households", count=400, seed=7, stdout=io.StringIO())
    city = Union.objects.get(code="WX")
    browser = Client()
    browser.force_login(user_with_role(Role.CENTRE_STAFF, city, username="batch_staff"))
    start = reverse("programs:batch_start")
    this, late = quarter_of(timezone.localdate()).key, quarter_of(timezone.localdate()).previous().key

    with celery_broker(own_redis.url) as app:
        worker_factory(queue="celery", REDIS_URL=own_redis.url, BATCH_CHUNK_IDS=1)
        with entitlements_held() as held:
            # The worker starts the run, then waits at its first insert: the batch is mid-run for as
            # long as the test needs, however fast this machine computes it.
            assert browser.post(start, {"union": city.pk, "period": this, "confirm": "True"}).status_code == 302
            first = Batch.objects.get(union=city, period=this)
            held.wait_for_a_waiting_insert()
            first.refresh_from_db()
            assert first.status == Batch.Status.RUNNING

            own_redis.stop()  # mid-batch
            running_page = browser.get(reverse("programs:batch_detail", args=[first.pk])).content.decode()
            first.refresh_from_db()
            assert first.status == Batch.Status.RUNNING  # so the page above was shown mid-run
            assert "后台任务服务（Redis）暂时连不上" in running_page
            health = browser.get("/healthz")
            # Staff start the previous quarter's 补发 meanwhile: saved, and told plainly that it has not started.
            started = browser.post(start, {"union": city.pk, "period": late, "confirm": "True", "late": "on"},
                                   follow=True)  # fmt: skip
            second = Batch.objects.get(union=city, period=late)

        assert health.status_code == 503 and health.json()["broker"].startswith("error")
        assert started.status_code == 200
        assert "计算尚未开始。服务恢复后请在本页点击“重新计算”" in started.content.decode()
        assert second.status == Batch.Status.PENDING and not second.lock_token
        second_page = started.content.decode()
        assert 'data-testid="broker-down"' in second_page
        assert reverse("programs:batch_recompute", args=[second.pk]) in second_page

        own_redis.start()  # empty: whatever was queued is gone
        _wait_worker(app, f"celery@{os.uname().nodename}")
        assert browser.get("/healthz").status_code == 200

        # The run that lost its broker finished its database work on its own (or is re-run).
        first = _wait_batch(first, {Batch.Status.COMPUTED, Batch.Status.FAILED})
        if first.status == Batch.Status.FAILED:
            browser.post(reverse("programs:batch_recompute", args=[first.pk]))
            first = _wait_batch(first, {Batch.Status.COMPUTED})
        first_count, first_finished = Entitlement.objects.filter(batch=first).count(), first.finished_at

        # Re-running both from their pages: the stuck one computes, the finished one adds nothing.
        for batch in (second, first):
            response = browser.post(reverse("programs:batch_recompute", args=[batch.pk]), follow=True)
            assert "已重新提交计算" in response.content.decode()
        second = _wait_batch(second, {Batch.Status.COMPUTED})
        first = _wait_batch(first, {Batch.Status.COMPUTED}, finished_after=first_finished)

    assert first_count > 100 and Entitlement.objects.filter(batch=first).count() == first_count
    assert Entitlement.objects.filter(batch=second).count() > 100
    assert first.status == second.status == Batch.Status.COMPUTED
    _assert_one_entitlement_per_key()


def _queued_tasks(server: RedisServer) -> list[tuple[str, str]]:
    """(task name, its arguments) of each message waiting in our Redis's default queue."""
    import json

    import redis

    messages = redis.Redis(port=server.port).lrange("celery", 0, -1)
    return [(m["headers"]["task"], m["headers"]["argsrepr"]) for m in map(json.loads, messages)]


@pytest.fixture
def not_eager():
    """Tasks go to the broker (no worker is started: the test reads the queue)."""
    from hardship.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


def test_with_redis_stopped_a_batch_is_saved_as_pending_at_once_and_queued_again_once_it_is_back(
    own_redis, not_eager, transactional_db, tree
):
    from programs.assistance.demo import seed_programs

    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    seed_programs(union=tree["city"])
    browser = Client()
    browser.force_login(user_with_role(Role.CENTRE_STAFF, tree["city"], username="batch_staff"))
    start = reverse("programs:batch_start")

    with celery_broker(own_redis.url):
        # Redis is down before this process sends anything (a fresh gunicorn worker): the Redis
        # result store then had no connection yet, and its reconnect retried for 19 s, then raised.
        own_redis.stop()
        began = time.monotonic()
        this = quarter_of(timezone.localdate()).key
        response = browser.post(start, {"union": tree["city"].pk, "period": this, "confirm": "True"})
        answered_in = time.monotonic() - began
        batch = Batch.objects.get(period=this)
        page = browser.get(response.url).content.decode()

        # An outage does not hang the request: the bound of a failure, not a measure of speed.
        assert answered_in < 2, f"batch start took {answered_in:.1f} s with Redis down"
        assert response.status_code == 302 and response.url == reverse("programs:batch_detail", args=[batch.pk])
        assert "计算尚未开始。服务恢复后请在本页点击“重新计算”" in page and 'data-testid="broker-down"' in page
        assert batch.status == Batch.Status.PENDING and not batch.lock_token

        own_redis.start()
        response = browser.post(reverse("programs:batch_recompute", args=[batch.pk]), follow=True)

        assert "已重新提交计算" in response.content.decode()
        assert _queued_tasks(own_redis) == [("programs.assistance.tasks.compute_batch", f"({batch.pk},)")]
