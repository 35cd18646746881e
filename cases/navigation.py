"""The menu entries of household files, registered with ``hardship.navigation`` from ``CasesConfig.ready``.

Each entry's roles are the rule its page already keeps: the view's gate or the review queues.
"""

from django.utils.translation import gettext_lazy as _

from hardship.access import FILE_READERS
from hardship.navigation import NavItem, register

from .archive.selectors import ARCHIVE_READERS
from .crosscheck.workflow import READERS as CROSSCHECK_READERS
from .register.selectors import REGISTER_USERS
from .selectors import STANDARD_EDITORS
from .tickets.workflow import READERS as TICKET_READERS
from .work import QUEUE_ROLES


def register_all() -> None:
    register(NavItem(_("家庭档案"), "cases:household_list", "bi-folder2-open", FILE_READERS, 100))
    register(NavItem(_("审核待办"), "cases:review_queue", "bi-clipboard-check", QUEUE_ROLES, 110))
    register(NavItem(_("公示"), "cases:notice_list", "bi-megaphone", FILE_READERS, 120))
    register(NavItem(_("申诉投诉"), "cases:ticket_queue", "bi-chat-square-text", TICKET_READERS, 125))
    register(NavItem(_("档案库"), "cases:archive_search", "bi-archive", ARCHIVE_READERS, 126))
    register(NavItem(_("认定标准"), "cases:standard_list", "bi-sliders", STANDARD_EDITORS, 130))
    register(NavItem(_("信息比对"), "cases:xcheck_home", "bi-intersect", CROSSCHECK_READERS, 135))
    register(NavItem(_("存量导入"), "cases:register_list", "bi-box-arrow-in-down", REGISTER_USERS, 136))
