"""The authentication backend: Django's ModelBackend, reading with the user what every page asks of them."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce

from .access import cache_assignments, live_assignments
from .models import User
from .prepared import PreparedQuery
from .selectors import unread_notifications


def _user_with_assignments(*, user_id: int):
    unread = unread_notifications(user_id=OuterRef("user_id")).order_by().values("user_id")
    return (
        live_assignments()
        .filter(user_id=user_id)
        .select_related("user")
        .annotate(unread=Coalesce(Subquery(unread.annotate(n=Count("pk")).values("n")[:1]), 0))
    )


# Every signed-in request runs it: compiled once (hardship.prepared).
USER_ROWS = PreparedQuery("signed_in_user", _user_with_assignments, args=["user_id"])


class PortalBackend(ModelBackend):
    """Every signed-in request loads its user here (``get_user``). The base template and every selector
    then ask the user's role assignments (hardship.access) and the bell its unread count: both come in
    the same query as the user, one row per live assignment. A user without any takes two queries."""

    def get_user(self, user_id):
        rows = USER_ROWS.fetch(user_id=user_id)
        if rows:
            user = rows[0].user
            user.unread_notification_count = rows[0].unread
            for row in rows:
                row.user = user
        else:
            user = User._default_manager.filter(pk=user_id).first()
            if user is None:
                return None
        cache_assignments(user, rows)
        return user if self.user_can_authenticate(user) else None
