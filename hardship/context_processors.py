from django.conf import settings

from .access import root_unions
from .navigation import nav_for


def portal(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME}
    assignments = getattr(user, "_role_assignments_cache", None)
    if assignments is None:
        root_unions(user)  # fills the per-request cache
        assignments = user._role_assignments_cache
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_items": nav_for(user, request.path),
        "my_assignments": assignments,
        "unread_count": user.notifications.filter(read_at__isnull=True).count(),
    }
