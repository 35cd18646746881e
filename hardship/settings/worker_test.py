"""A Celery worker started by the test suite: the test settings on the test database."""

import os

from .test import *  # noqa: F403
from .test import DATABASES

CELERY_TASK_ALWAYS_EAGER = False
if os.environ.get("TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
