"""核查处理 (adjudicating a cross-check flag), declared once.

open → confirmed (which opens the next step through the household's own machines: a change
request with the new income, the exit queue, or a return in 复审) or dismissed with a reason.
Centre staff decide; discipline observers read the queue. A flag's union is its household's.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, register, rule

from ..models import Status
from .models import Flag, FlagStatus

F = FlagStatus
DECIDERS = (Role.CENTRE_STAFF,)
READERS = (Role.CENTRE_STAFF, Role.DISCIPLINE_OBSERVER)


@rule(q=lambda user: Q(household__status=Status.FILED))
def household_filed(flag: Flag, user) -> str | None:
    if flag.household.status != Status.FILED:
        return _("只有已建档的家庭可以通过变更申请或退出处理；该户当前状态为“%(s)s”。") % {
            "s": flag.household.get_status_display()
        }
    return None


@rule(q=lambda user: Q(household__status__in=(Status.SECOND_REVIEW, Status.PUBLIC_NOTICE)))
def household_in_review(flag: Flag, user) -> str | None:
    if flag.household.status not in (Status.SECOND_REVIEW, Status.PUBLIC_NOTICE):
        return _("只有复审中或公示中的家庭可以退回复审；该户当前状态为“%(s)s”。") % {
            "s": flag.household.get_status_display()
        }
    return None


T = Transition
flag_workflow = register(
    Workflow(
        "crosscheck_flag",
        model=Flag,
        subject=gettext_lazy("该比对疑点"),
        union=lambda flag: flag.household.union,
        union_field="household__union",
        transitions=[
            T("confirm_change", gettext_lazy("确认：提出变更申请"), (F.OPEN,), F.CONFIRMED, DECIDERS,
              guards=(household_filed,)),
            T("confirm_exit", gettext_lazy("确认：列入待退出"), (F.OPEN,), F.CONFIRMED, DECIDERS,
              guards=(household_filed,)),
            T("confirm_return", gettext_lazy("确认：退回复审"), (F.OPEN,), F.CONFIRMED, DECIDERS,
              guards=(household_in_review,)),
            T("dismiss", gettext_lazy("排除疑点"), (F.OPEN,), F.DISMISSED, DECIDERS),
        ],
    )
)  # fmt: skip
