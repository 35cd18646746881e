"""Shared fixtures: a small union tree, users in and out of scope, and the service guards.

With CI=true a test that needs PostgreSQL, Redis, a Celery worker or Chromium
fails when the service is missing; on a laptop it is skipped with the reason.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from hardship.models import Role, Union
from tests.factories import UnionFactory, user_with_role

CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def require(available: bool, what: str) -> None:
    if available:
        return
    if CI:
        pytest.fail(f"{what} is required in CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available here")


def redis_available() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        require("postgresql" in settings.DATABASES["default"]["ENGINE"], "PostgreSQL (DATABASE_URL)")
    if item.get_closest_marker("redis") or item.get_closest_marker("celery_worker"):
        require(redis_available(), "Redis (REDIS_URL)")
    if item.get_closest_marker("browser"):
        require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")


@pytest.fixture(autouse=True)
def _chinese_by_default():
    """Each test starts in the default language: a request that switched to English leaves the
    thread's active language behind, and service messages are translated strings."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a calendar cached inside a rolled-back test is not the next one's."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def tree(db):
    """无锡 → {惠山 → 堰桥 → 海溪公司, 滨湖 → 蠡湖}: enough for own / parent / sibling."""
    city = UnionFactory(name="无锡市总工会", level=Union.Level.CITY)
    huishan = UnionFactory(name="惠山区总工会", level=Union.Level.DISTRICT, parent=city)
    binhu = UnionFactory(name="滨湖区总工会", level=Union.Level.DISTRICT, parent=city)
    yanqiao = UnionFactory(name="堰桥街道总工会", level=Union.Level.STREET, parent=huishan)
    company = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS, parent=yanqiao)
    lihu = UnionFactory(name="蠡湖街道总工会", level=Union.Level.STREET, parent=binhu)
    return {"city": city, "huishan": huishan, "binhu": binhu, "yanqiao": yanqiao, "company": company, "lihu": lihu}


@pytest.fixture
def in_scope_user(tree):
    """Centre staff of 惠山区: acts on 惠山 and everything below it."""
    return user_with_role(Role.CENTRE_STAFF, tree["huishan"], username="huishan_staff")


@pytest.fixture
def out_of_scope_user(tree):
    """Centre staff of 滨湖区: a sibling district, sees none of 惠山."""
    return user_with_role(Role.CENTRE_STAFF, tree["binhu"], username="binhu_staff")


@pytest.fixture
def observer(tree):
    """Discipline observer at the city: reads everything, changes nothing."""
    return user_with_role(Role.DISCIPLINE_OBSERVER, tree["city"], username="city_observer")


def _start_worker(queue: str, extra_env: dict | None = None) -> subprocess.Popen:
    from hardship.celery import app

    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "hardship.settings.worker_test"
    env["TEST_DATABASE_NAME"] = connection.settings_dict["NAME"]
    env.update(extra_env or {})
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    proc = subprocess.Popen(
        [celery, "-A", "hardship", "worker", "--pool=solo", "-Q", queue, "--without-gossip", "--without-mingle",
         "--without-heartbeat", "--loglevel=WARNING", "-n", f"{queue}@%h"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the Celery worker exited: {proc.stdout.read().decode(errors='replace')}")
            if app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1):
                return proc
        pytest.fail("the Celery worker did not answer within 60 s")
    except BaseException:
        # Not yet handed to the fixture: a failure here (the ping raised, or time ran out) must not
        # leave the worker running after the test session.
        _stop_worker(proc)
        raise


def _stop_worker(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def worker_factory(transactional_db):
    """Start real Celery workers (broker: Redis) on the test database; all stopped afterwards.

    Tasks sent while this fixture is active go to the broker, not run eagerly.
    """
    require(redis_available(), "Redis (REDIS_URL)")
    from hardship.celery import app

    started: list[subprocess.Popen] = []
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False

    def start(queue: str | None = None, **extra_env) -> tuple[subprocess.Popen, str]:
        queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        proc = _start_worker(queue, {k: str(v) for k, v in extra_env.items()})
        started.append(proc)
        return proc, queue

    try:
        yield start
    finally:
        app.conf.task_always_eager = previous
        for proc in started:
            _stop_worker(proc)


@pytest.fixture
def celery_worker_process(worker_factory):
    """One real Celery worker on a queue of its own."""
    proc, queue = worker_factory()
    return {"queue": queue, "process": proc}
