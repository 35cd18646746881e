"""The session engine: Django's database sessions, with the one read every signed-in page makes prepared.

``SessionStore`` is ``django.contrib.sessions.backends.db``'s in every respect but the read of the
session's row, which runs as a ``hardship.prepared`` query (compiled once, its key swapped in): the
ORM built that ``SELECT`` anew on every request. The expiry is checked on the row rather than in the
``WHERE`` (a ``now()`` in the query would change its parameters on every compile) — the same rows
answer: a session past its expiry loads as empty and its key is dropped, as Django's does.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import PreparedQuery

SESSION_ROW = PreparedQuery(
    "session_row", lambda session_key: Session.objects.filter(session_key=session_key), args=["session_key"]
)


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        rows = SESSION_ROW.fetch(session_key=self.session_key) if self.session_key else []
        if rows and rows[0].expire_date > timezone.now():
            return rows[0]
        self._session_key = None
        return None
