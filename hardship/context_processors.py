from django.conf import settings

from .access import root_unions
from .navigation import nav_for
from .selectors import unread_notifications


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME}
    assignments = getattr(user, "_role_assignments_cache", None)
    if assignments is None:
        root_unions(user)  # fills the per-request cache
        assignments = user._role_assignments_cache
    # Read with the user by hardship.auth.PortalBackend; counted here for a user loaded otherwise.
    unread = getattr(user, "unread_notification_count", None)
    if unread is None:
        unread = unread_notifications(user_id=user.pk).count()
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_items": nav_for(user, request.path),
        "my_assignments": assignments,
        "unread_count": unread,
    }
