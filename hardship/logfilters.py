"""Logging filters named in ``settings.LOGGING``."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 4xx (a page refused or not found) is logged as one line: its traceback is dropped.

    Django logs ``PermissionDenied`` with the exception attached, which reads like a crash in the
    console. The status line stays, so refusals can still be counted.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True
