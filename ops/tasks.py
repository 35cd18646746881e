from celery import shared_task

from .services import heartbeat_record


@shared_task(ignore_result=True)
def beat_heartbeat() -> None:
    """Sent by beat every minute and run by a worker: its row proves beat, the broker and a worker."""
    heartbeat_record(name="beat")
