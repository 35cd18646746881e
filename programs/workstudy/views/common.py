"""What the work-study views share: running a service without ever answering 500."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from hardship.access import user_has_role

from ..roles import CONTACTS, READERS, manages

SENTINEL = object()


def attempt(request, action: Callable[[], Any], form=None) -> Any:
    """Run a service; a refusal becomes a form error or a message, never a 500. SENTINEL on refusal."""
    try:
        return action()
    except ValidationError as exc:
        if form is not None:
            form.add_error(None, exc)
        else:
            for message in exc.messages:
                messages.error(request, message)
    except PermissionDenied as exc:
        text = str(exc) or _("您没有权限进行此操作。")
        if form is not None:
            form.add_error(None, text)
        else:
            messages.error(request, text)
    return SENTINEL


def is_contact_only(user) -> bool:
    return user_has_role(user, *CONTACTS) and not user_has_role(user, *READERS)


def can_manage(user, season) -> bool:
    return manages(user, season.union)
