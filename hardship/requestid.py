"""One id per request, on every log line it causes and in every Celery task it queues.

The middleware takes the proxy's ``X-Request-ID`` when it looks like one (else makes one), answers
with it, and keeps it in a context variable; the log filter adds it to each record; a task sent
during the request carries it in its message headers, and the worker sets it while the task runs.
``LOG_FORMAT=json`` writes each record as one JSON object (no library: the standard one suffices).
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

REQUEST_ID = contextvars.ContextVar("request_id", default="")
HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        request.request_id = given if _VALID.match(given) else uuid.uuid4().hex
        token = REQUEST_ID.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            REQUEST_ID.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or REQUEST_ID.get(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def task_publishing(headers=None, **kwargs) -> None:
    """Celery before_task_publish: the message carries the current request's id."""
    if headers is not None and (request_id := REQUEST_ID.get()):
        headers.setdefault("request_id", request_id)


def task_starting(task=None, **kwargs) -> None:
    """Celery task_prerun: the task's log lines carry the id of the request that queued it."""
    request = getattr(task, "request", None)
    # Celery puts a message's custom headers on the request (older protocols under .headers).
    carried = getattr(request, "request_id", None) or (getattr(request, "headers", None) or {}).get("request_id")
    REQUEST_ID.set(carried or "")


def task_finished(**kwargs) -> None:
    REQUEST_ID.set("")
