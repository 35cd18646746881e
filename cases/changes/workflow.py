"""变更申请 (a change to a filed file), declared once.

draft → submitted → approved (applied to the file, in one transaction with its history) or
rejected; the requester may withdraw it while it is a draft or waiting. The requester proposes
and submits; centre staff approve or reject — never the requester (separation of duties, a
database constraint too). The page's buttons, the centre's queue and the services read this file.

Who may propose a change at all is the file's question, not the request's (no request exists
yet): ``proposal_refusal`` answers it from the same roles, for the file page's button and the
service.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, holds_role_over, register, rule

from ..models import Household, Status
from .models import ChangeKind, ChangeRequest, ChangeStatus

C = ChangeStatus
PROPOSERS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF)
APPROVERS = (Role.CENTRE_STAFF,)


def proposal_refusal(household: Household, user) -> str | None:
    """Why ``user`` may not propose a change to this file now (None: they may)."""
    if household.status != Status.FILED:
        return _("只有已建档的档案通过变更申请修改；档案当前状态为“%(s)s”。") % {"s": household.get_status_display()}
    if not holds_role_over(user, PROPOSERS, household.union):
        return _("您在该档案所属工会没有提出变更申请的权限。")
    return None


@rule(q=lambda user: Q(requested_by=user))
def is_the_requester(change: ChangeRequest, user) -> str | None:
    if change.requested_by_id != user.pk:
        return _("只有申请人本人可以提交或撤回这份变更申请。")
    return None


@rule(q=lambda user: ~Q(requested_by=user))
def not_the_requester(change: ChangeRequest, user) -> str | None:
    if change.requested_by_id == user.pk:
        return _("您是这份变更申请的申请人，不能自己审批，请由帮扶中心的其他工作人员审批。")
    return None


@rule(q=lambda user: Q(household__status=Status.FILED))
def file_still_filed(change: ChangeRequest, user) -> str | None:
    household = change.household
    if household.status != Status.FILED:
        return _("档案当前状态为“%(s)s”，变更申请只能用于已建档的档案。") % {"s": household.get_status_display()}
    return None


def change_still_applies(change: ChangeRequest, user) -> str | None:
    """The member it names is still on the file (someone may have applied another change meanwhile)."""
    if change.kind in (ChangeKind.MEMBER_REMOVE, ChangeKind.MEMBER_CHANGE):
        member = change.member
        if member is None or member.removed or member.household_id != change.household_id:
            return _("申请涉及的成员已不在本户档案中，这份申请不能再生效，请驳回后重新提出。")
    return None


T = Transition
change_workflow = register(
    Workflow(
        "change_request",
        model=ChangeRequest,
        subject=gettext_lazy("该变更申请"),
        union=lambda change: change.household.union,
        union_field="household__union",
        transitions=[
            T("submit", gettext_lazy("提交审批"), (C.DRAFT,), C.SUBMITTED, PROPOSERS,
              duties=(is_the_requester,), guards=(file_still_filed,)),
            T("withdraw", gettext_lazy("撤回申请"), (C.DRAFT, C.SUBMITTED), C.WITHDRAWN, PROPOSERS,
              duties=(is_the_requester,)),
            T("approve", gettext_lazy("批准变更"), (C.SUBMITTED,), C.APPROVED, APPROVERS,
              duties=(not_the_requester,), guards=(file_still_filed, change_still_applies)),
            T("reject", gettext_lazy("不予批准"), (C.SUBMITTED,), C.REJECTED, APPROVERS, duties=(not_the_requester,)),
        ],
    )
)  # fmt: skip
