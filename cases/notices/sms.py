"""A family's SMS goes through the portal's one SMS backend (hardship.sms, ``settings.SMS_BACKEND``).

``hardship.sms.sms_send`` never raises; here a refusal becomes ``SmsError`` so that the delivery
log records it and the task retries.
"""

from hardship.sms import SmsError, sms_send

__all__ = ["SmsError", "send"]


def send(*, phone: str, text: str) -> None:
    result = sms_send(phone=phone, text=text)
    if not result.ok:
        raise SmsError(result.error or "not sent")
