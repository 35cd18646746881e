"""The 500 handler: a lost database (or broker) connection is a 503 with its own page.

Rendered without the request, so no context processor touches the database that
just failed. Django's atomic blocks have already rolled back, and the broken
connection is closed at the end of the request (CONN_HEALTH_CHECKS and the
errors_occurred flag), so the next request opens a fresh one by itself.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader

log = logging.getLogger("hardship.errors")


def _unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, (OperationalError, InterfaceError)):
        return True
    try:
        from kombu.exceptions import OperationalError as BrokerError
    except ImportError:  # pragma: no cover — kombu comes with Celery
        return False
    return isinstance(exc, BrokerError)


def server_error(request, template_name: str = "500.html"):
    exc = sys.exc_info()[1]
    if _unavailable(exc):
        log.warning("503 for %s %s: %s", request.method, request.path, exc.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
