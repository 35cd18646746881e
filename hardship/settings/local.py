"""A laptop trial: DEBUG on, SQLite and eager tasks unless the environment says otherwise."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)

# Serve static files straight from static/ (no collectstatic on a laptop).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
