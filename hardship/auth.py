"""The authentication backend: Django's ModelBackend, with the user's roles read in the same query."""

from django.contrib.auth.backends import ModelBackend

from .access import user_with_assignments


class PortalBackend(ModelBackend):
    """Every signed-in request loads its user here (``get_user``); the nav, the access helpers and the
    selectors then ask the assignments cached on it, so a page reads the user and the roles once, together."""

    def get_user(self, user_id):
        user = user_with_assignments(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
