"""The family channel's beat tasks: thin, they call the services."""

from celery import shared_task

from .services.accounts import sign_in_codes_purge


@shared_task(ignore_result=True)
def purge_sign_in_codes() -> int:
    """Beat, daily: delete the sign-in codes spent over a day ago."""
    return sign_in_codes_purge()
