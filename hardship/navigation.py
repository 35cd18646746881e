"""The navigation, by role: one list, read by the base template's context processor.

Each entry names the URL and the roles that see it; later features add theirs here.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import AUDIT_READERS, FILE_READERS, UNION_READERS, user_roles
from .models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: tuple[str, ...]


# Roles with a review queue (cases.review.selectors.QUEUES; tests/workflow checks they agree).
REVIEW_ROLES = (Role.GRASSROOTS_STAFF, Role.CASEWORKER, Role.THIRD_PARTY_REVIEWER, Role.CENTRE_STAFF,
                Role.DISCIPLINE_OBSERVER)  # fmt: skip

# Roles that see programs, batches and the ledger (programs.assistance.selectors.MONEY_READERS).
MONEY_ROLES = (Role.CENTRE_STAFF, Role.FUND_APPROVER, Role.DISCIPLINE_OBSERVER, Role.SYSTEM_ADMIN)

# Roles that see the dashboard and download the returns (programs.reports.selectors.REPORT_READERS).
REPORT_ROLES = (Role.CENTRE_STAFF, Role.FUND_APPROVER, Role.DISCIPLINE_OBSERVER, Role.SYSTEM_ADMIN)

NAV_ITEMS: list[NavItem] = [
    NavItem(_("我的工作"), "my_work", "bi-house-door", tuple(Role.values)),
    NavItem(_("家庭档案"), "cases:household_list", "bi-folder2-open", FILE_READERS),
    NavItem(_("审核待办"), "cases:review_queue", "bi-clipboard-check", REVIEW_ROLES),
    NavItem(_("公示"), "cases:notice_list", "bi-megaphone", FILE_READERS),
    NavItem(_("认定标准"), "cases:standard_list", "bi-sliders", (Role.CENTRE_STAFF, Role.SYSTEM_ADMIN)),
    NavItem(
        _("关爱·圆梦"),
        "workstudy:home",
        "bi-mortarboard",
        (Role.CENTRE_STAFF, Role.ENTERPRISE_CONTACT, Role.SYSTEM_ADMIN, Role.DISCIPLINE_OBSERVER),
    ),  # fmt: skip
    NavItem(_("发放批次"), "programs:batch_list", "bi-cash-stack", MONEY_ROLES),
    NavItem(_("帮扶项目"), "programs:program_list", "bi-list-check", MONEY_ROLES),
    NavItem(_("资金台账"), "programs:ledger", "bi-journal-bookmark", MONEY_ROLES),
    NavItem(_("数据看板"), "reports:dashboard", "bi-bar-chart", REPORT_ROLES),
    NavItem(_("组织机构"), "hardship:union_list", "bi-diagram-3", UNION_READERS),
    NavItem(_("审计日志"), "hardship:audit_list", "bi-journal-text", AUDIT_READERS),
]


def nav_for(user, current_path: str) -> list[dict]:
    held = user_roles(user)
    items = []
    for item in NAV_ITEMS:
        if not held.intersection(item.roles):
            continue
        url = reverse(item.url_name)
        active = current_path == url if url == "/" else current_path.startswith(url)
        items.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    # One item is current: the longest match (/programs/batches/ is 发放批次, not also 帮扶项目 at /programs/).
    current = max((i for i in items if i["active"]), key=lambda i: len(i["url"]), default=None)
    for i in items:
        i["active"] = i is current
    if user.is_staff:
        items.append({"label": _("系统管理"), "url": reverse("admin:index"), "icon": "bi-gear", "active": False})
    return items
