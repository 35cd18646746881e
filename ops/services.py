from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str) -> None:
    """Note that ``name`` ran now (no audit event: a heartbeat is not a change anyone made)."""
    Heartbeat.objects.update_or_create(name=name, defaults={"at": timezone.now()})
