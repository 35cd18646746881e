from celery import current_task, shared_task


@shared_task
def ping(token: str) -> dict:
    """Round trip through the broker: proves a worker is consuming (used by the health test)."""
    return {"token": token, "worker": current_task.request.hostname}
