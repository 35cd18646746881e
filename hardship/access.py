"""Access by union: the one helper every list, count, export and dropdown goes through.

A user acts on the unions where they hold a role and on every union below
them — never a sibling's or a parent's.
"""

from collections.abc import Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Role, RoleAssignment, Union


def live_assignments() -> QuerySet[RoleAssignment]:
    """Assignments that count: at an active union (with their union)."""
    return RoleAssignment.objects.filter(union__is_active=True).select_related("union")


def _assignments(user) -> list[RoleAssignment]:
    # Cached on the user object for the request: the nav, the landing page and
    # every selector ask the same question. hardship.auth.PortalBackend fills it
    # with the user, in the same query.
    cached = getattr(user, "_role_assignments_cache", None)
    if cached is None:
        signed_in = getattr(user, "is_authenticated", False)
        cached = list(live_assignments().filter(user=user)) if signed_in else []
        user._role_assignments_cache = cached
    return cached


def cache_assignments(user, assignments: list[RoleAssignment]) -> None:
    """Give ``user`` their live assignments, read by the caller (the auth backend) with the user."""
    user._role_assignments_cache = assignments


def assignments_key(user) -> tuple:
    """What the user's scope is built from (their live assignments): the key of a prepared query whose
    SQL holds the scope's union paths (hardship.prepared). A new, moved or removed assignment is a new key."""
    return tuple(sorted((a.role, a.union_id, a.union.path, a.organisation_id) for a in _assignments(user)))


def user_roles(user) -> set[str]:
    return {a.role for a in _assignments(user)}


def user_has_role(user, *roles: str) -> bool:
    held = user_roles(user)
    return any(role in held for role in roles)


def root_unions(user, roles: Iterable[str] | None = None) -> list[Union]:
    """The unions at which the user holds (one of) ``roles``: the tops of their scope.

    ``roles=None`` means any role; an empty ``roles`` means none (a caller that removed every
    role from its list must get nothing, not everything).
    """
    wanted = set(roles) if roles is not None else None
    return [a.union for a in _assignments(user) if wanted is None or a.role in wanted]


def role_assignments(user, role: str) -> list[RoleAssignment]:
    """The user's assignments of ``role`` (from the per-request cache), e.g. a reviewer's organisations."""
    return [a for a in _assignments(user) if a.role == role]


def _path_filter(paths: list[str], field: str) -> Q:
    condition = Q(pk__in=[])
    for path in sorted(set(paths)):
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def scope_unions(user, roles: Iterable[str] | None = None) -> QuerySet[Union]:
    """Every union the user may act on (with one of ``roles`` when given)."""
    paths = [u.path for u in root_unions(user, roles)]
    return Union.objects.filter(_path_filter(paths, "path"))


def scope_queryset(queryset: QuerySet, user, *, union_field: str = "union", roles: Iterable[str] | None = None):
    """Restrict ``queryset`` to rows whose ``union_field`` lies in the user's scope.

    The filter is on the union's materialised path, one indexed prefix match
    per assignment, and never reads the tree into Python. It is written as
    ``union_id IN (SELECT id FROM hardship_union WHERE path LIKE '1/2/%' OR …)``
    rather than as a join to the union table: the big table is then filtered
    on its own foreign-key column, so its ``(…, id)`` indexes still serve the
    ``ORDER BY … LIMIT`` of a page and the capped count, and the planner
    estimates the rows from the union ids instead of from a path pattern.
    Same rows as the join: a row without a union is in nobody's scope.
    """
    paths = [u.path for u in root_unions(user, roles)]
    return queryset.filter(**{f"{union_field}__in": Union.objects.filter(_path_filter(paths, "path")).values("pk")})


def role_required(*roles: str):
    """View decorator: 403 unless the user holds one of ``roles`` somewhere."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not user_has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


# Roles that read the audit log of their scope.
AUDIT_READERS = (Role.SYSTEM_ADMIN, Role.DISCIPLINE_OBSERVER, Role.CENTRE_STAFF, Role.FUND_APPROVER)
# Roles that see the union tree of their scope.
UNION_READERS = tuple(r for r in Role.values if r != Role.ENTERPRISE_CONTACT)
# Roles that read household files (enterprise contacts do not). A third-party reviewer reads only
# the files assigned to its organisation: cases.selectors.household_queryset narrows it.
FILE_READERS = tuple(r for r in Role.values if r != Role.ENTERPRISE_CONTACT)
