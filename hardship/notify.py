"""Telling a family what happened to its case, without the app that records it importing who tells it.

A service calls ``notify_family(household_id=…, event=…, key=…, context=…)`` inside its
transaction; once it commits, the ``family_notify`` task is queued through ``enqueue`` (a broker
outage never undoes nor delays the action). The task hands the event to the one registered
``deliver`` function (cases.notices registers it from its AppConfig.ready), which writes the
in-app notification and queues its SMS. ``key`` names the occurrence (``payment:123``): the
same event is never told twice, whatever runs twice.
"""

from collections.abc import Callable

from django.db import transaction

Deliver = Callable[..., object]
_deliver: list[Deliver] = []


def register_delivery(deliver: Deliver) -> None:
    """Set the function that turns an event into a notification (replaced: ``ready()`` may run twice)."""
    _deliver[:] = [deliver]


def notify_family(*, household_id: int, event: str, key: str, context: dict | None = None) -> None:
    """After the current transaction commits, tell the household about ``event``; never raises."""
    # Inside: hardship.tasks imports this module for the task's body (a cycle at the top).
    from .tasks import enqueue, family_notify  # noqa: PLC0415

    payload = {"household_id": household_id, "event": event, "key": key, "context": dict(context or {})}
    transaction.on_commit(lambda: enqueue(family_notify, **payload))


# A batch's payments are told in tasks of this many notifications each (one message per task would
# flood the broker on a city's batch; one task for all would be a message of megabytes).
CHUNK = 200


def notify_families(*, events: list[dict]) -> None:
    """``notify_family`` for many: each dict holds household_id, event, key and context."""
    # Inside: hardship.tasks imports this module for the task's body (a cycle at the top).
    from .tasks import enqueue, family_notify_many  # noqa: PLC0415

    payloads = [{"household_id": e["household_id"], "event": e["event"], "key": e["key"],
                 "context": dict(e.get("context") or {})} for e in events]  # fmt: skip
    for start in range(0, len(payloads), CHUNK):
        chunk = payloads[start : start + CHUNK]
        transaction.on_commit(lambda chunk=chunk: enqueue(family_notify_many, chunk))


def deliver(**payload) -> object:
    if not _deliver:
        return None
    return _deliver[0](**payload)
