import ipaddress

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from hardship.views import broker_status, database_status

from .metrics import exposition
from .selectors import beat_status, migrations_status


@login_not_required
@never_cache
@require_GET
def live(request):
    """Liveness: the process answers. No database: a database outage must not restart every node."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_GET
def ready(request):
    """Readiness: database, broker, every migration applied, beat's heartbeat fresh; 503 naming what is not."""
    checks = {"database": database_status(), "broker": broker_status()}
    if checks["database"] == "ok":
        checks["migrations"] = migrations_status()
        checks["beat"] = beat_status()
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def _allowed(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_NETS)


@login_not_required
@never_cache
@require_GET
def metrics(request):
    """Prometheus exposition, for addresses in METRICS_ALLOWED_NETS only: anyone else sees no such page."""
    if not _allowed(request.META.get("REMOTE_ADDR", "")):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
