"""Where a family's SMS goes: the portal's one SMS backend (hardship.sms) when it is there.

Until the worker sign-in's backend is merged, messages go to the log (the console backend's
behaviour), so ``make run`` shows them; ``SmsError`` is what a provider failure raises.
"""

import logging

log = logging.getLogger("hardship.sms")


class SmsError(Exception):
    """The provider did not take the message (timeout, refusal, bad answer)."""


def send(*, phone: str, text: str) -> None:
    log.info("SMS to %s: %s", phone, text)
