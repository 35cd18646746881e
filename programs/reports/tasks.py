"""Thin tasks: call a service."""

from celery import shared_task


@shared_task
def refresh_dashboard_summary() -> int | None:
    """Beat, every ten minutes: a new snapshot of the dashboard's figures (its id; None if one is running)."""
    from .services import dashboard_summary_refresh

    snapshot = dashboard_summary_refresh()
    return snapshot.pk if snapshot else None
