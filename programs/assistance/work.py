"""「我的工作」 items for money: what waits on a fund approver, and on centre staff, from the declarations."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from hardship.models import Role
from hardship.work import WorkItem, register

from . import selectors


def approver_items(user) -> list[WorkItem]:
    return [
        WorkItem(_("发放批次待审批"), selectors.approvals_waiting(user=user).count(), reverse("programs:batch_list")),
        WorkItem(
            _("一次性救助待审批"),
            selectors.grants_waiting(user=user).count(),
            f"{reverse('programs:grant_list')}?status=applied",
        ),  # fmt: skip
    ]


def centre_staff_items(user) -> list[WorkItem]:
    return [WorkItem(_("计算失败的发放批次"), selectors.recompute_waiting(user=user).count(),
                     reverse("programs:batch_list"))]  # fmt: skip


def register_all() -> None:
    register(Role.FUND_APPROVER, approver_items)
    register(Role.CENTRE_STAFF, centre_staff_items)
