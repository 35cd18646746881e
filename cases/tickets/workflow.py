"""申诉 / 投诉 / 举报 / 公示异议 tickets, declared once.

待受理 → (分派承办人 or 答复) 办理中 → 办结：成立 or 不成立. The centre's staff of the ticket's
union or above handle them; discipline observers read every ticket of their scope and change
nothing (the selectors let them in, no transition names them). An upheld appeal against a
rejection re-opens the step that rejected it (the review chain's ``appeal_first`` /
``appeal_second``): it can be upheld only while the file is still 不予受理.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, register

from ..models import Status
from .models import AppealSubject, Ticket, TicketKind, TicketStatus

S = TicketStatus
HANDLERS = (Role.CENTRE_STAFF,)
READERS = (Role.CENTRE_STAFF, Role.DISCIPLINE_OBSERVER)
# Staff who record on a file an appeal or a complaint a worker brings to the office.
RECORDERS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF)


def outcome_can_take_effect(ticket: Ticket, user) -> str | None:
    """An appeal against a rejection is upheld by re-opening the file: it must still be rejected."""
    against_rejection = ticket.kind == TicketKind.APPEAL and ticket.subject == AppealSubject.REJECTION
    if against_rejection and ticket.household.status != Status.REJECTED:
        return _("该案件当前状态为“%(s)s”，已不是不予受理，申诉成立无法重新审核；请按不成立办结并说明。") % {
            "s": ticket.household.get_status_display()
        }
    return None


T = Transition
ticket_workflow = register(
    Workflow(
        "ticket",
        model=Ticket,
        subject=gettext_lazy("该工单"),
        transitions=[
            T("assign", gettext_lazy("分派承办人"), (S.OPEN, S.IN_PROGRESS), S.IN_PROGRESS, HANDLERS),
            T("reply", gettext_lazy("答复"), (S.OPEN, S.IN_PROGRESS), S.IN_PROGRESS, HANDLERS),
            T("uphold", gettext_lazy("办结：成立"), (S.IN_PROGRESS,), S.UPHELD, HANDLERS,
              guards=(outcome_can_take_effect,)),
            T("dismiss", gettext_lazy("办结：不成立"), (S.IN_PROGRESS,), S.DISMISSED, HANDLERS),
        ],
    )
)  # fmt: skip
