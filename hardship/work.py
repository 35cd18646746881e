"""「我的工作」: each role's queue, filled by providers that features register.

A provider takes the user and returns WorkItems (a label, a count, a link and,
where there is one, the nearest due date). Apps register theirs in
``AppConfig.ready`` so this module needs to know nothing about them.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .access import AUDIT_READERS, root_unions, scope_queryset
from .models import AuditEvent, Role
from .selectors import union_count


@dataclass
class WorkItem:
    label: str
    count: int
    url: str
    due: date | None = None
    overdue: bool = False


@dataclass
class WorkRow:
    """One thing waiting on the user, by name (a ticket), with its due date."""

    label: str
    url: str
    due: date | None = None
    overdue: bool = False
    note: str = ""


@dataclass
class WorkList:
    """A card of its own under the role's section: the things themselves, nearest due first."""

    name: str  # the card's data-testid
    title: str
    rows: list[WorkRow]
    count: int  # all of them; ``rows`` may show only the first few
    url: str  # the full list
    empty: str  # what the card says when nothing waits


@dataclass
class WorkSection:
    role: str
    role_label: str
    unions: list = field(default_factory=list)
    items: list[WorkItem] = field(default_factory=list)
    lists: list[WorkList] = field(default_factory=list)


Provider = Callable[[object], list[WorkItem]]
ListProvider = Callable[[object], WorkList]
_PROVIDERS: dict[str, list[Provider]] = defaultdict(list)
_LIST_PROVIDERS: dict[str, list[ListProvider]] = defaultdict(list)


def register(role: str, provider: Provider) -> None:
    if provider not in _PROVIDERS[role]:
        _PROVIDERS[role].append(provider)


def register_list(role: str, provider: ListProvider) -> None:
    if provider not in _LIST_PROVIDERS[role]:
        _LIST_PROVIDERS[role].append(provider)


def work_sections(user) -> list[WorkSection]:
    by_role: dict[str, WorkSection] = {}
    for assignment in sorted(root_unions_with_roles(user), key=lambda a: list(Role.values).index(a.role)):
        section = by_role.get(assignment.role)
        if section is None:
            section = by_role[assignment.role] = WorkSection(
                role=assignment.role, role_label=Role(assignment.role).label
            )
        section.unions.append(assignment.union)
    shown: set = set()  # a list registered for two roles the user holds is shown once
    for role, section in by_role.items():
        for provider in _PROVIDERS.get(role, []):
            section.items.extend(provider(user))
        for provider in _LIST_PROVIDERS.get(role, []):
            if provider not in shown:
                shown.add(provider)
                section.lists.append(provider(user))
    return list(by_role.values())


def root_unions_with_roles(user):
    root_unions(user)  # fills the per-request cache
    return user._role_assignments_cache


def _unions_in_scope(user) -> list[WorkItem]:
    return [WorkItem(_("辖区内工会"), union_count(user=user), reverse("hardship:union_list"))]


def _recent_audit_events(user) -> list[WorkItem]:
    since = timezone.now() - timedelta(days=7)
    count = scope_queryset(AuditEvent.objects.filter(created_at__gte=since), user, roles=AUDIT_READERS).count()
    return [WorkItem(_("近 7 天审计事件"), count, reverse("hardship:audit_list"))]


register(Role.SYSTEM_ADMIN, _unions_in_scope)
register(Role.DISCIPLINE_OBSERVER, _recent_audit_events)
