"""销毁 of a household's personal data: every app that keeps some registers how to erase it.

An app registers an eraser ``(household, values) -> None`` in its ``AppConfig.ready()`` (with the
personal values it holds for a household); the archive's
destruction (``cases.archive.services.household_anonymise``) calls ``household_erase``, which runs them
all in one transaction. ``values`` are the personal strings the file held (names, 身份证号, card
numbers, phones), gathered before anything is blanked, so that an eraser can also scrub them out of a
free text or a JSON value it keeps (a memo, an audit event's recorded change).

What identifies a person goes; what the books and the statistics need stays: amounts, dates, statuses,
the union, the file number, the ledgers' rows and the audit trail's events (their personal words erased).

The append-only tables (the audit log, the fund ledger, the recovery ledger: ``hardship.dbtriggers``)
refuse every UPDATE at the database, with one narrow exemption for exactly this: inside
``erasure_window()`` (a transaction-local setting, ``hardship.erasure``) their trigger lets an UPDATE
through when it changes only the table's declared personal columns — never an amount, a date or a kind.
"""

from collections.abc import Callable, Iterable
from contextlib import contextmanager

from django.db import connection, transaction

ERASED = "（已销毁）"
SETTING = "hardship.erasure"

Eraser = Callable[[object, list[str]], None]
Values = Callable[[object], Iterable[str]]
_ERASERS: dict[str, tuple[Values | None, Eraser]] = {}


def register(name: str, *, erase: Eraser, values: Values | None = None) -> None:
    """Register an app's eraser under ``name`` (again under the same name: replaced, not added twice).

    ``values(household)`` returns the personal strings the app holds for the household (a payee's name,
    a card number) so that every eraser can scrub them; ``erase(household, values)`` erases its rows."""
    _ERASERS[name] = (values, erase)


def erasers() -> list[str]:
    return list(_ERASERS)


def rows_erase(queryset, *, values: list[str], blank: dict | None = None, scrub: Iterable[str] = ()) -> None:
    """Set each ``blank`` field of the rows to its value, and scrub the personal ``values`` out of each
    ``scrub`` field (a text or a JSON value), saving only those fields."""
    blank, scrub = blank or {}, tuple(scrub)
    if not scrub:
        if blank:
            queryset.update(**blank)
        return
    rows = list(queryset.only("pk", *scrub))
    for row in rows:
        for name, value in blank.items():
            setattr(row, name, value)
        for name in scrub:
            setattr(row, name, scrubbed(getattr(row, name), values))
    queryset.model.objects.bulk_update(rows, [*blank, *scrub], batch_size=500)


@contextmanager
def erasure_window():
    """Let the append-only triggers pass the erasure of their personal columns, until the block ends."""
    if connection.vendor != "postgresql":
        yield
        return
    # In a savepoint of its own: if the block fails, rolling it back reverts the setting too.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', true)", [SETTING])
        yield
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [SETTING])


def household_erase(*, household) -> None:
    """Run every registered eraser on ``household`` (inside the caller's transaction): first each app's
    personal values are gathered, then each app erases its rows."""
    found = {v for values, _erase in _ERASERS.values() if values for v in values(household)}
    # Longest first, so that a name inside a longer one is not replaced first; one character is too little.
    personal = sorted({v for v in found if v and len(v) >= 2 and v != ERASED}, key=len, reverse=True)
    with erasure_window():
        for _values, erase in _ERASERS.values():
            erase(household, personal)


def scrubbed(text, values: list[str]):
    """``text`` (a string, or a JSON value of strings, lists and dicts) with every personal value replaced."""
    if isinstance(text, str):
        for value in values:
            if value in text:
                text = text.replace(value, ERASED)
        return text
    if isinstance(text, list):
        return [scrubbed(item, values) for item in text]
    if isinstance(text, dict):
        return {key: scrubbed(item, values) for key, item in text.items()}
    return text


def audit_erase(household, values: list[str]) -> None:
    """The events on the household: their verbs, actors, times and keys stay; the personal values go."""
    # Here, not at the top, for a cycle: hardship.models imports this module (AuditEvent's erase).
    from .models import AuditEvent  # noqa: PLC0415

    events = AuditEvent.objects.filter(target_type=household._meta.label_lower, target_id=str(household.pk))
    events.erase(values)
