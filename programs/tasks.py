"""Celery discovers tasks here: the ones of each sub-package."""

from .assistance.tasks import compute_batch, start_quarter_batches
from .reports.tasks import refresh_dashboard_summary

__all__ = ["compute_batch", "refresh_dashboard_summary", "start_quarter_batches"]
