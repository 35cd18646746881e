"""Text messages to families, through a pluggable backend (Django-style: ``settings.SMS_BACKEND``).

- ``ConsoleBackend``: writes each message to the server's console (standard output) — ``make run``.
- ``FileBackend``: appends each message as one JSON line to ``SMS_FILE_DIR/sms.jsonl`` — ``make run``
  and tests read the sign-in codes there.
- ``HttpBackend``: POSTs JSON to an SMS provider (``SMS_HTTP_URL``, ``SMS_HTTP_KEY``, ``SMS_SIGN_NAME``,
  ``SMS_HTTP_TIMEOUT`` from the environment) — production.
- ``MemoryBackend``: keeps the messages in ``MemoryBackend.outbox`` — unit tests.

``sms_send`` never raises: a provider that is down, slow or refusing answers False (and a warning
in the log), so the action that wanted the message (a sign-in code, a notification) goes on. Who
needs the message to arrive later (the notifications' delivery log) retries; this module does not.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsError(Exception):
    """The provider did not accept the message."""


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    provider_id: str = ""
    error: str = ""


class BaseBackend:
    def send(self, phone: str, text: str) -> str:
        """Hand the message over; return the provider's message id (or ""); raise on failure."""
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def send(self, phone: str, text: str) -> str:
        stream = getattr(settings, "SMS_CONSOLE_STREAM", None) or sys.stdout
        stream.write(f"[短信 → {phone}] {text}\n")
        stream.flush()
        return ""


_file_lock = threading.Lock()


def sms_file_path() -> Path:
    return Path(settings.SMS_FILE_DIR) / "sms.jsonl"


class FileBackend(BaseBackend):
    def send(self, phone: str, text: str) -> str:
        path = sms_file_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"at": timezone.now().isoformat(), "phone": phone, "text": text}, ensure_ascii=False)
        with _file_lock, path.open("a", encoding="utf-8") as out:
            out.write(line + "\n")
        if getattr(settings, "SMS_FILE_ECHO", False):  # make run: on the console too
            ConsoleBackend().send(phone, text)
        return ""


def sms_file_messages(phone: str | None = None) -> list[dict]:
    """The messages the FileBackend wrote (oldest first), for one phone or all."""
    path = sms_file_path()
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if phone is None or row["phone"] == phone]


class MemoryBackend(BaseBackend):
    outbox: list[dict] = []

    def send(self, phone: str, text: str) -> str:
        MemoryBackend.outbox.append({"phone": phone, "text": text})
        return str(len(MemoryBackend.outbox))


class HttpBackend(BaseBackend):
    """A provider's HTTP API: ``POST SMS_HTTP_URL`` with ``{"phone", "sign", "text"}`` and a bearer key.

    A 2xx answer is accepted (its JSON ``id`` kept when there is one); anything else, a timeout or a
    refused connection is an ``SmsError``. The timeout is short (3 s by default): a code the worker
    waits for is useless a minute later, and the page must not hang on the provider.
    """

    def send(self, phone: str, text: str) -> str:
        url = settings.SMS_HTTP_URL
        if not url:
            raise SmsError("SMS_HTTP_URL is not set")
        body = json.dumps({"phone": phone, "sign": settings.SMS_SIGN_NAME, "text": text}, ensure_ascii=False)
        request = urllib.request.Request(  # noqa: S310 — the URL is the operator's setting, not user input
            url,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Authorization": f"Bearer {settings.SMS_HTTP_KEY}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_HTTP_TIMEOUT) as response:  # noqa: S310
                payload = response.read(10_000)
        except urllib.error.HTTPError as error:
            raise SmsError(f"provider answered {error.code}") from error
        except (urllib.error.URLError, OSError) as error:
            raise SmsError(f"provider unreachable: {error}") from error
        try:
            return str(json.loads(payload or b"{}").get("id", ""))
        except (ValueError, AttributeError):
            return ""


def sms_backend() -> BaseBackend:
    return import_string(settings.SMS_BACKEND)()


def sms_send(*, phone: str, text: str) -> SmsResult:
    """Send one message now through the configured backend. Never raises (see the module's docstring)."""
    try:
        provider_id = sms_backend().send(phone, text)
    except Exception as error:  # noqa: BLE001 — whatever a provider does, the caller's action goes on
        log.warning("SMS to %s not sent: %s", _masked(phone), error)
        return SmsResult(ok=False, error=str(error)[:200])
    return SmsResult(ok=True, provider_id=provider_id or "")


def _masked(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"
