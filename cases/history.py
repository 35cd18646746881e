"""A file's history (变更记录), whole: its audit events and what other apps know about it, in one list.

Every write to a file records an audit event on it (creation, edits, change requests, review
opinions, 公示 objections, re-tiering, admin corrections). What lives in another app's own
append-only rows — payments in the programs' ledger — is not copied into the audit log: that app
registers a source (``register_source``) from its ``AppConfig.ready``, and the history reads it
there, so the entry and the ledger can never disagree and this app imports nothing above it.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .models import Household
from .selectors import household_history_head


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history: shaped like an audit event, so the page renders both the same way."""

    verb: str
    created_at: datetime
    actor: Any = None
    changes: dict = field(default_factory=dict)
    target_type: str = ""


Source = Callable[[Household, int], Iterable[HistoryEntry]]
_SOURCES: dict[str, Source] = {}


def register_source(name: str, source: Source) -> None:
    """Add a source of history entries (replaced by name: ``ready()`` may run more than once)."""
    _SOURCES[name] = source


def file_history(*, household: Household, limit: int = 50) -> list:
    """The newest ``limit`` entries of the file's history, from the audit log and every source."""
    entries: list = household_history_head(household=household, limit=limit)
    for source in _SOURCES.values():
        entries.extend(source(household, limit))
    entries.sort(key=lambda e: e.created_at, reverse=True)
    return entries[:limit]
