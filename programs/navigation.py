"""The menu entries of programs, money, reports and 关爱·圆梦, registered from ``ProgramsConfig.ready``.

Each entry's roles are the constant its view is gated by, so the menu and the page cannot disagree.
"""

from django.utils.translation import gettext_lazy as _

from hardship.navigation import NavItem, register

from .assistance.selectors import MONEY_READERS
from .reports.selectors import REPORT_READERS
from .workstudy.roles import USERS as WORKSTUDY_USERS


def register_all() -> None:
    register(NavItem(_("关爱·圆梦"), "workstudy:home", "bi-mortarboard", WORKSTUDY_USERS, 200))
    register(NavItem(_("发放批次"), "programs:batch_list", "bi-cash-stack", MONEY_READERS, 210))
    register(NavItem(_("帮扶项目"), "programs:program_list", "bi-list-check", MONEY_READERS, 220))
    register(NavItem(_("资金台账"), "programs:ledger", "bi-journal-bookmark", MONEY_READERS, 230))
    register(NavItem(_("追回款"), "programs:receivable_list", "bi-arrow-counterclockwise", MONEY_READERS, 235))
    register(NavItem(_("数据看板"), "reports:dashboard", "bi-bar-chart", REPORT_READERS, 240))
