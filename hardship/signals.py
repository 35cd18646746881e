"""Logins and logouts are audit events (who came in, from where); a calendar change forgets the cached calendar."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .dates import forget_working_calendars
from .models import CalendarDay
from .services import audit_record


@receiver(post_save, sender=CalendarDay)
@receiver(post_delete, sender=CalendarDay)
def _calendar_changed(sender, **kwargs):
    # Now (this transaction reads the new day) and after the commit (a read in between cached the old one).
    forget_working_calendars()
    transaction.on_commit(forget_working_calendars)


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, verb="auth.login", target=user, request=request)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, verb="auth.logout", target=user, request=request)
