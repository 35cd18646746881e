"""Notifications to families: write the in-app message, send its SMS (retried), edit the templates.

Events are raised by the services that change a case (``hardship.notify.notify_family`` inside
their transaction); after the commit the ``family_notify`` task calls
``family_notification_deliver`` here. Sending is another task (``sms_send``) retried with backoff:
a provider down never stops nor slows the action that caused the message.
"""

import string
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.models import User
from hardship.notify import notify_families
from hardship.services import audit_record
from hardship.tasks import enqueue
from hardship.workflow import ActionRefused

from ..models import Household
from . import sms
from .models import DEFAULT_TEMPLATES, FamilyEvent, FamilyNotification, MessageTemplate, SmsDelivery

MAX_SMS_ATTEMPTS = 5


class _Lenient(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(event: str, context: dict) -> str:
    """The event's template (the admin's text, else the default) filled from ``context``."""
    template = MessageTemplate.objects.filter(event=event).values_list("text", flat=True).first()
    template = template or DEFAULT_TEMPLATES.get(event, "{text}")
    try:
        return string.Formatter().vformat(template, (), _Lenient(context))[:500]
    except (ValueError, IndexError, AttributeError):  # a broken brace in an edited template
        return template[:500]


def family_notification_deliver(*, household_id: int, event: str, key: str, context: dict) -> FamilyNotification:
    """Write the household's notification for ``event`` once (``key``), and queue its SMS."""
    existing = FamilyNotification.objects.filter(key=key).first()
    if existing is not None:
        return existing
    household = Household.objects.only("pk", "phone", "head_name").get(pk=household_id)
    text = render_message(event, {"head": household.head_name, **context})
    phone = (household.phone or "").strip()
    try:
        with transaction.atomic():
            notice = FamilyNotification.objects.create(household=household, event=event, key=key, phone=phone,
                                                       text=text)  # fmt: skip
            delivery = SmsDelivery.objects.create(
                notification=notice, phone=phone,
                status=SmsDelivery.Status.QUEUED if _mobile(phone) else SmsDelivery.Status.SKIPPED,
            )  # fmt: skip
    except IntegrityError:  # told already by a run in parallel
        return FamilyNotification.objects.get(key=key)
    if delivery.status == SmsDelivery.Status.QUEUED:
        from .tasks import sms_send  # noqa: PLC0415 — cycle: the tasks module calls these services

        transaction.on_commit(lambda: enqueue(sms_send, delivery.pk))
    return notice


# A family hears of its 年度复核 this many days before it is due (once per due date).
YEARLY_NOTICE_DAYS = 30


def yearly_reviews_due_notify(*, on) -> int:
    """Tell each filed household whose 年度复核 falls due within ``YEARLY_NOTICE_DAYS`` (a daily beat task)."""
    rows = Household.objects.filter(
        status="filed", next_review_due__gte=on, next_review_due__lte=on + timedelta(days=YEARLY_NOTICE_DAYS)
    ).exclude(family_notifications__event=FamilyEvent.YEARLY_REVIEW_DUE, family_notifications__created_at__date__gte=on
              - timedelta(days=YEARLY_NOTICE_DAYS)).values_list("pk", "next_review_due")  # fmt: skip
    events = [{"household_id": pk, "event": FamilyEvent.YEARLY_REVIEW_DUE, "key": f"yearly:{pk}:{due}",
               "context": {"due": str(due)}} for pk, due in rows]  # fmt: skip
    notify_families(events=events)
    return len(events)


def _mobile(phone: str) -> bool:
    return len(phone) == 11 and phone.isdigit() and phone.startswith("1")


def sms_delivery_attempt(*, delivery_id: int, last_try: bool) -> bool:
    """One try at sending the SMS; True once sent. A failure is recorded (attempts, error), never raised."""
    with transaction.atomic():
        delivery = SmsDelivery.objects.select_for_update().select_related("notification").get(pk=delivery_id)
        if delivery.status in (SmsDelivery.Status.SENT, SmsDelivery.Status.SKIPPED):
            return True
        delivery.attempts += 1
        try:
            sms.send(phone=delivery.phone, text=delivery.notification.text)
        except Exception as exc:  # noqa: BLE001 — whatever the provider does, the log says it and we retry
            delivery.status = SmsDelivery.Status.FAILED if last_try else SmsDelivery.Status.RETRYING
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:300]
            delivery.save(update_fields=["attempts", "status", "last_error", "updated_at"])
            return False
        delivery.status, delivery.sent_at, delivery.last_error = SmsDelivery.Status.SENT, timezone.now(), ""
        delivery.save(update_fields=["attempts", "status", "sent_at", "last_error", "updated_at"])
        return True


def family_notifications_mark_read(*, household_id: int, up_to: int) -> int:
    """The worker marked the messages they were shown as read: those up to ``up_to`` (the newest on their
    page), so that one that arrived after the page was drawn stays unread."""
    return FamilyNotification.objects.filter(household_id=household_id, pk__lte=up_to, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def message_template_update(*, actor: User, event: str, text: str, request=None) -> MessageTemplate:
    """The system admin rewrites an event's message (audited: before and after)."""
    text = (text or "").strip()
    if event not in FamilyEvent.values:
        raise ActionRefused(_("请选择通知事件。"))
    if not text:
        raise ActionRefused(_("请填写短信内容。"))
    try:
        list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ActionRefused(_("短信内容中的花括号不成对，占位符应写成 {head} 这样。")) from exc
    with transaction.atomic():
        template, _created = MessageTemplate.objects.select_for_update().get_or_create(
            event=event, defaults={"text": DEFAULT_TEMPLATES.get(event, text)}
        )
        old = template.text
        template.text = text[:300]
        template.save(update_fields=["text", "updated_at"])
        audit_record(actor=actor, verb="notice.template", target=template, changes={"text": (old, template.text)},
                     request=request)  # fmt: skip
    return template
