"""Logins and logouts are audit events (who came in, from where)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from .services import audit_record


@receiver(user_logged_in)
def _audit_login(sender, request, user, **kwargs):
    audit_record(actor=user, verb="auth.login", target=user, request=request)


@receiver(user_logged_out)
def _audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, verb="auth.logout", target=user, request=request)
