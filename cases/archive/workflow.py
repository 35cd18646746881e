"""销毁清单 (a destruction list of files past retention), declared once.

drafted (by the yearly task) → submitted (提请销毁, a centre staff member) → approved (批准销毁, another
centre staff member: the files are anonymised) or rejected (驳回, back to nothing: the next year's task
lists the files again). Nobody approves a list they submitted (a database constraint too), and the
task never destroys anything by itself.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, register, rule

from .models import DestructionList, DestructionStatus

D = DestructionStatus
CENTRE = (Role.CENTRE_STAFF,)


@rule(q=lambda user: ~Q(submitted_by=user))
def not_the_submitter(destruction: DestructionList, user) -> str | None:
    if destruction.submitted_by_id == user.pk:
        return _("您是这份销毁清单的提请人，不能自己批准，请由帮扶中心的其他工作人员审批。")
    return None


def has_entries(destruction: DestructionList, user) -> str | None:
    if not destruction.entries.exists():
        return _("清单中没有档案。")
    return None


T = Transition
destruction_workflow = register(
    Workflow(
        "destruction_list",
        model=DestructionList,
        subject=gettext_lazy("该销毁清单"),
        transitions=[
            T("submit", gettext_lazy("提请销毁"), (D.DRAFTED,), D.SUBMITTED, CENTRE, guards=(has_entries,)),
            T("approve", gettext_lazy("批准销毁"), (D.SUBMITTED,), D.APPROVED, CENTRE, duties=(not_the_submitter,)),
            T("reject", gettext_lazy("驳回"), (D.DRAFTED, D.SUBMITTED), D.REJECTED, CENTRE,
              duties=(not_the_submitter,)),
        ],
    )
)  # fmt: skip
