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
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger("hardship.errors")


# SQLSTATEs of a lost or refused connection: class 08 and the server shutting down (57P01–57P03).
# Other OperationalErrors — deadlocks (40P01), serialization failures (40001), statement timeouts
# (57014) — are faults of the application, not an outage: they get the 500 page.
CONNECTION_LOST_STATES = ("57P01", "57P02", "57P03")


def _connection_lost(exc: OperationalError) -> bool:
    code = getattr(exc.__cause__, "pgcode", None)
    return code is None or code.startswith("08") or code in CONNECTION_LOST_STATES


def _unavailable(exc: BaseException | None) -> bool:
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        return _connection_lost(exc)
    return isinstance(exc, BrokerError)


def server_error(request, template_name: str = "500.html"):
    exc = sys.exc_info()[1]
    if _unavailable(exc):
        log.warning("503 for %s %s: %s", request.method, request.path, exc.__class__.__name__)
        response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = "30"
        return response
    return HttpResponseServerError(loader.get_template(template_name).render())
