"""A laptop trial: DEBUG on, SQLite and eager tasks unless the environment says otherwise."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# Serve static files straight from static/ (no collectstatic on a laptop).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# make run: sign-in codes are printed on the console and written to var/sms/sms.jsonl.
SMS_BACKEND = os.environ.get("SMS_BACKEND", "hardship.sms.FileBackend")
SMS_FILE_ECHO = env_bool("SMS_FILE_ECHO", True)
