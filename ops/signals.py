"""Counting what goes wrong where no page shows it (failed Celery tasks, locked logins); request ids into tasks."""

from axes.signals import user_locked_out
from celery.signals import before_task_publish, task_failure, task_postrun, task_prerun

from hardship import requestid
from hardship.metrics import LOGIN_LOCKOUTS, TASK_FAILURES


def _task_failed(sender=None, **kwargs):
    TASK_FAILURES.labels(task=getattr(sender, "name", "unknown")).inc()


def _locked_out(sender=None, **kwargs):
    LOGIN_LOCKOUTS.inc()


def connect() -> None:
    task_failure.connect(_task_failed, weak=False, dispatch_uid="ops.task_failure")
    user_locked_out.connect(_locked_out, weak=False, dispatch_uid="ops.user_locked_out")
    before_task_publish.connect(requestid.task_publishing, weak=False, dispatch_uid="ops.request_id_publish")
    task_prerun.connect(requestid.task_starting, weak=False, dispatch_uid="ops.request_id_prerun")
    task_postrun.connect(requestid.task_finished, weak=False, dispatch_uid="ops.request_id_postrun")
