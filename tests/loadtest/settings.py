"""The production settings with plain static files, for the load-test smoke run only.

collectstatic (hashing and compressing every file for the manifest storage) takes minutes on this
machine and the smoke run has about 30 s; everything else is production's.
"""

from hardship.settings.production import *  # noqa: F403
from hardship.settings.production import STORAGES

STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
