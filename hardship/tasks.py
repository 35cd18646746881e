"""Sending work to the Celery workers, and the tasks every app shares."""

import logging

from celery import current_task, shared_task
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from .notify import deliver

log = logging.getLogger(__name__)

# What sending a task raises when Redis is down, slow or restarting: kombu's OperationalError
# (connection refused or lost, once the bounded publish retries are spent), redis-py's own errors,
# bare socket errors (OSError covers ConnectionRefusedError and socket timeouts), and the
# RuntimeError of the Redis result store when its reconnect gives up ("Retry limit exceeded").
QUEUE_FAILURES = (BrokerError, RedisError, OSError, RuntimeError)


def enqueue(task, *args, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)`` for a worker; False (and a warning in the log) if the broker
    could not take it. Every send of the portal goes through here.

    Call it once the change it follows is committed (``transaction.on_commit``): a broker outage
    never undoes that change nor keeps the user waiting (the settings bound every connect, read
    and retry, see CELERY_* in settings/base.py), and the caller tells the user what did not start.
    On a laptop (eager) the task runs inside this call, and one of the errors above raised by the
    task itself is taken the same way: logged with its traceback, the caller's change kept.
    """
    try:
        _send(task, args, kwargs)
    except QUEUE_FAILURES:
        log.warning("task %s was not queued: the broker is unavailable", task.name, exc_info=True)
        return False
    return True


def _send(task, args: tuple, kwargs: dict) -> None:
    # No result is stored or awaited: nobody reads these results, and subscribing to one is what
    # made a request with Redis down wait 19 s for the result store's reconnect, then fail.
    task.apply_async(args=args, kwargs=kwargs, ignore_result=True)


@shared_task
def ping(token: str) -> dict:
    """Round trip through the broker: proves a worker is consuming (used by the health test)."""
    return {"token": token, "worker": current_task.request.hostname}


@shared_task
def family_notify(*, household_id: int, event: str, key: str, context: dict) -> None:
    """Write a family's notification and queue its SMS (hardship.notify; the body is registered by cases)."""
    deliver(household_id=household_id, event=event, key=key, context=context)


@shared_task
def family_notify_many(payloads: list[dict]) -> None:
    """``family_notify`` for a chunk of a batch's notifications; one that fails does not stop the others."""
    for payload in payloads:
        try:
            deliver(**payload)
        except Exception:  # noqa: BLE001 — logged; the others are still told
            log.exception("family notification %s was not written", payload.get("key"))


@shared_task(acks_late=True)
def run_export(job_id: int) -> int | None:
    """Write one export job's file (hardship.services.export_run); a failure is recorded on the job."""
    # Here, not at the top, for a cycle: hardship.services queues this task (it imports this module).
    from .services import export_run

    try:
        job = export_run(job_id=job_id)
    except Exception:  # noqa: BLE001 — recorded on the job (生成失败) and logged; the user exports again
        return None
    return job.rows_done if job else None


@shared_task
def purge_expired_exports() -> int:
    """Beat, hourly: delete the export files past their 24 hours."""
    # Here, not at the top, for the same cycle as run_export.
    from .services import exports_purge_expired

    return exports_purge_expired()
