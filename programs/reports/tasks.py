"""Thin tasks: call a service."""

from celery import shared_task
from django.db import transaction

from hardship.tasks import enqueue

from .services import dashboard_summary_refresh


@shared_task
def refresh_dashboard_summary() -> int | None:
    """Beat, every ten minutes: a new snapshot of the dashboard's figures (its id; None if one is running)."""
    snapshot = dashboard_summary_refresh()
    return snapshot.pk if snapshot else None


def refresh_dashboard_soon() -> None:
    """Money moved (a batch approved or reconciled): queue a refresh once this transaction commits,
    so the dashboard's money figures do not wait for the next ten-minute round. It never fails the
    caller, whose change is already committed: with the broker down the next beat round catches up."""
    transaction.on_commit(lambda: enqueue(refresh_dashboard_summary))
