"""Thin tasks: take ids, call the engine."""

from celery import shared_task

from .engine import register_commit, register_stage
from .services import register_commit_failed


@shared_task(acks_late=True)
def stage_register(import_id: int) -> dict:
    return register_stage(import_id=import_id).counts


@shared_task(acks_late=True)
def commit_register(import_id: int) -> dict:
    try:
        return register_commit(import_id=import_id).counts
    except Exception as exc:
        register_commit_failed(import_id=import_id, error=f"{type(exc).__name__}: {exc}")
        raise
