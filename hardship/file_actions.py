"""Buttons other apps put on the household file, each answered by the app that owns its rule.

The file page lives in ``cases``; a rule of a higher app (``programs``: who may record money to
recover) cannot be imported there, and a copy of it on the page would drift from the service. The
owning app registers a check in ``AppConfig.ready``; the page reads ``can_<name>`` from here.
"""

from collections.abc import Callable

Check = Callable[..., bool]  # (*, user, household) -> may this user take it on this file now
_CHECKS: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    _CHECKS[name] = check


def file_actions(*, user, household) -> dict[str, bool]:
    """``{"can_<name>": bool}`` for every registered button."""
    return {f"can_{name}": bool(check(user=user, household=household)) for name, check in _CHECKS.items()}
