"""Who does what in 关爱·圆梦, and which enterprises a contact speaks for."""

from hardship.access import scope_unions, user_has_role
from hardship.models import Role, Union

from .models import Enterprise

# Run seasons, register students, match, publish (within their unions).
MANAGERS = (Role.CENTRE_STAFF, Role.SYSTEM_ADMIN)
# Read everything of their unions; the observer changes nothing.
READERS = (*MANAGERS, Role.DISCIPLINE_OBSERVER)
CONTACTS = (Role.ENTERPRISE_CONTACT,)
# Who sees the 关爱·圆梦 pages at all.
USERS = (*READERS, *CONTACTS)


def manages(user, union: Union) -> bool:
    """True when ``user`` is centre staff or admin at ``union`` or above it."""
    return user_has_role(user, *MANAGERS) and scope_unions(user, MANAGERS).filter(pk=union.pk).exists()


def contact_enterprise_ids(user) -> list[int]:
    """The enterprises ``user`` is a login of, provided they hold the enterprise-contact role."""
    if not user_has_role(user, *CONTACTS):
        return []
    return list(Enterprise.objects.filter(contacts=user).values_list("pk", flat=True))
