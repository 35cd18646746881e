"""Real services: a Celery worker over Redis, production settings, PostgreSQL."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from hardship.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.celery_worker
def test_a_real_celery_worker_executes_a_task_sent_through_redis(celery_worker_process):
    token = uuid.uuid4().hex

    result = ping.apply_async(args=[token], queue=celery_worker_process["queue"]).get(timeout=30)

    assert result["token"] == token
    assert result["worker"].startswith(celery_worker_process["queue"])


@pytest.mark.postgres
def test_ci_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"


def test_production_settings_pass_check_deploy_without_warnings():
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="hardship.settings.production",
        SECRET_KEY="a-long-random-production-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/check-deploy.sqlite3"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        ALLOWED_HOSTS="portal.example.org",
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_templates_are_compiled_once_per_worker():
    # Django wraps the loaders in the cached loader when TEMPLATES sets no "loaders": setting them
    # (say, to add one) would parse every template on every page.
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="hardship.settings.production",
        SECRET_KEY="a-long-random-production-secret-" + uuid.uuid4().hex + uuid.uuid4().hex,
        DATABASE_URL=os.environ.get("DATABASE_URL", "sqlite:////tmp/check-deploy.sqlite3"),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        ALLOWED_HOSTS="portal.example.org",
    )
    script = "from django.template import engines; print(engines['django'].engine.loaders[0][0])"

    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)  # fmt: skip

    assert result.stdout.strip().splitlines()[-1] == "django.template.loaders.cached.Loader", result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env["DJANGO_SETTINGS_MODULE"] = "hardship.settings.production"

    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "must be set in production" in result.stderr
