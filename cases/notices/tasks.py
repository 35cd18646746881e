"""The SMS of a family's notification: one try per run, retried with backoff (thin: the service sends)."""

from celery import shared_task
from django.utils import timezone

from .services import MAX_SMS_ATTEMPTS, sms_delivery_attempt, yearly_reviews_due_notify


@shared_task(bind=True, max_retries=MAX_SMS_ATTEMPTS - 1, acks_late=True)
def sms_send(self, delivery_id: int) -> bool:
    last_try = self.request.retries >= self.max_retries
    sent = sms_delivery_attempt(delivery_id=delivery_id, last_try=last_try)
    if not sent and not last_try:
        # 30 s, 1 min, 2 min, 4 min: a provider's short outage is ridden out; the log keeps each error.
        # Eager (a laptop, the tests): returned, not raised, so Celery's apply() runs the retry in turn
        # instead of propagating it into the request that queued the message.
        retry = self.retry(countdown=30 * 2**self.request.retries, throw=not self.request.is_eager)
        return retry
    return sent


@shared_task
def notify_yearly_reviews_due() -> int:
    """Daily: families whose 年度复核 is due within a month are told (once per due date)."""
    return yearly_reviews_due_notify(on=timezone.localdate())
