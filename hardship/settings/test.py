"""The test suite: whatever DATABASE_URL / REDIS_URL say (CI sets PostgreSQL and Redis)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests call tasks through the worker only where they mean to; everything else
# runs eagerly so a view test does not need a worker.
CELERY_TASK_ALWAYS_EAGER = True
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Every prepared query (hardship.prepared) is checked against Django's own compile on every run.
PREPARED_QUERIES_CHECK = True
