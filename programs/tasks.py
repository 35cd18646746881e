"""Celery discovers tasks here: the ones of each sub-package."""

from .assistance.tasks import compute_batch, start_quarter_batches

__all__ = ["compute_batch", "start_quarter_batches"]
