"""The portal's own Prometheus metrics, defined once here (the lowest layer) so any app can observe them.

With several gunicorn workers and Celery processes on one node, set PROMETHEUS_MULTIPROC_DIR (an
empty directory, wiped at service start) for all of them: every process writes its samples there
and /metrics (ops.views) adds them up. Without it (a laptop, the tests) each process counts alone.
"""

from prometheus_client import Counter, Gauge, Histogram

BATCH_SECONDS = Histogram(
    "portal_batch_duration_seconds", "Time to compute an assistance batch", ["outcome"],
    buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600),
)  # fmt: skip
BATCH_ROWS = Counter("portal_batch_rows", "Entitlement rows written by batch computations")
BATCH_LAST_ROWS = Gauge("portal_batch_last_rows", "Entitlement rows written by the last batch computation",
                        multiprocess_mode="mostrecent")  # fmt: skip
TASK_FAILURES = Counter("portal_task_failures", "Celery tasks that raised", ["task"])
LOGIN_LOCKOUTS = Counter("portal_login_lockouts", "Logins locked after repeated failed passwords (django-axes)")


def batch_observed(*, seconds: float, rows: int, outcome: str) -> None:
    BATCH_SECONDS.labels(outcome=outcome).observe(seconds)
    if outcome == "computed":
        BATCH_ROWS.inc(rows)
        BATCH_LAST_ROWS.set(rows)
