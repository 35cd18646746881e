"""Readiness: can this node serve the current release? (Liveness asks only whether it answers.)"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import Heartbeat


def migrations_status() -> str:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return "ok" if not pending else f"error: {len(pending)} migrations not applied"


def beat_status() -> str:
    if not settings.READINESS_REQUIRES_BEAT:
        return "ok"  # embedded mode (a laptop): no beat runs, schedules are not due
    beat = Heartbeat.objects.filter(name="beat").first()
    if beat is None:
        return "error: no heartbeat from beat yet"
    age = timezone.now() - beat.at
    if age > timedelta(seconds=settings.BEAT_HEARTBEAT_STALE_SECONDS):
        return f"error: beat's heartbeat is {int(age.total_seconds())} s old"
    return "ok"
