"""The navigation, by role: read by the base template's context processor.

Apps add their entries from ``AppConfig.ready`` (``register``), each naming its URL,
the roles that see it (the app's own role constants, so the menu and the page's
gate are one rule) and its place: this module knows nothing of the apps above it.
Places run in bands: 0 the start page, 100–199 household files (cases),
200–299 programs and money (programs), 900– platform administration (hardship).
"""

from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from .access import AUDIT_READERS, FILE_READERS, UNION_READERS, user_roles
from .models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: tuple[str, ...]
    order: int


_ITEMS: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add (or replace, by URL name) one entry; ``ready()`` may run more than once in tests."""
    _ITEMS[item.url_name] = item


def nav_items() -> list[NavItem]:
    return sorted(_ITEMS.values(), key=lambda item: (item.order, item.url_name))


# The entries' URLs, reversed once per process and script prefix: every page draws the menu, and ~20
# reverse() calls were a tenth of a list page. The URLconf does not change while the process runs.
_URLS: dict[tuple[str, str], str] = {}


def _url(name: str) -> str:
    key = (name, get_script_prefix())
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = reverse(name)
    return url


_PK = 7_300_000_001  # stands for the pk in a reversed URL: no path holds it otherwise


def pk_url(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a URL whose one argument is an integer pk, reversed once per
    process and script prefix (a list's 25 rows each link to their page: 25 reverse() calls a page)."""
    shape = _url_with_pk(name, get_script_prefix())
    return shape.format(int(pk))


def _url_with_pk(name: str, prefix: str) -> str:
    key = (name, prefix, "pk")
    shape = _URLS.get(key)
    if shape is None:
        reversed_ = reverse(name, args=[_PK])
        if reversed_.count(str(_PK)) != 1:
            raise ValueError(f"{name} does not take one integer pk")
        shape = _URLS[key] = reversed_.replace("{", "{{").replace("}", "}}").replace(str(_PK), "{}")
    return shape


def nav_for(user, current_path: str) -> list[dict]:
    held = user_roles(user)
    items = []
    for item in nav_items():
        if not held.intersection(item.roles):
            continue
        url = _url(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    # One item is current: the longest match (/programs/batches/ is 发放批次, not also 帮扶项目 at /programs/).
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is current
    if user.is_staff:
        items.append({"label": _("系统管理"), "url": _url("admin:index"), "icon": "bi-gear", "active": False})
    return items


def register_all() -> None:
    register(NavItem(_("我的工作"), "my_work", "bi-house-door", tuple(Role.values), 0))
    # Who can export anything (household lists, bank files): every file reader.
    register(NavItem(_("我的导出"), "hardship:export_list", "bi-file-earmark-arrow-down", FILE_READERS, 890))
    register(NavItem(_("组织机构"), "hardship:union_list", "bi-diagram-3", UNION_READERS, 900))
    register(NavItem(_("审计日志"), "hardship:audit_list", "bi-journal-text", AUDIT_READERS, 910))
