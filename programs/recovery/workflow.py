"""追回款 (a receivable for wrongly paid aid), declared once.

追回中 (open): centre staff record each instalment received (收回: the fund's 追回入账 row; the one that
brings the balance to zero makes it 已追回), or propose writing off what is still owed (提出核销) with a
reason; a fund approver who did not propose it approves the write-off (已核销) or refuses it (back to
追回中). 已核销 is final. An instalment recorded by mistake is reversed (冲正) by centre staff with a
reason, while the receivable is 追回中 or 已追回 (a settled one is open again: the money is owed once
more); which entry may be reversed is ``reversal_refusal``'s answer. Who may raise a receivable at all
is the household's question: ``raise_refusal`` answers it for the file's button and the service.
"""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, holds_role_over, register, rule

from .models import Receivable, ReceivableEntry, ReceivableStatus

S = ReceivableStatus
RAISERS = COLLECTORS = (Role.CENTRE_STAFF,)
WRITE_OFF_APPROVERS = (Role.FUND_APPROVER,)


def raise_refusal(household, user) -> str | None:
    """Why ``user`` may not record money to recover from this household (None: they may)."""
    if household.filed_at is None:
        return _("从未建档的家庭没有发放记录，无需追回。")
    if not holds_role_over(user, RAISERS, household.union):
        return _("您在该档案所属工会没有登记追回款的权限。")
    return None


@rule(q=lambda user: ~Q(write_off_proposed_by=user))
def not_the_proposer(receivable: Receivable, user) -> str | None:
    if receivable.write_off_proposed_by_id == user.pk:
        return _("您提出了这笔核销，不能自己审批，请由另一位资金审批人审批。")
    return None


def has_reversible_instalment(receivable: Receivable, user) -> str | None:
    if not receivable.entries.filter(kind=ReceivableEntry.Kind.INSTALMENT, reversal__isnull=True).exists():
        return _("这笔追回款没有可冲正的收回记录。")
    return None


def reversal_refusal(entry: ReceivableEntry) -> str | None:
    """Why this entry of the receivable's ledger may not be reversed (None: it may).

    Only an instalment received is reversed, and once: the database refuses a second reversal too
    (``ReceivableEntry.reverses`` is unique). ``entry.is_reversed``, when the selector annotated it,
    saves the query."""
    if entry.kind != ReceivableEntry.Kind.INSTALMENT:
        return _("只有“收回”记录可以冲正。")
    reversed_already = getattr(entry, "is_reversed", None)
    if reversed_already is None:
        reversed_already = ReceivableEntry.objects.filter(reverses=entry).exists()
    if reversed_already:
        return _("这笔收回已经冲正，不能重复冲正。")
    return None


T = Transition
receivable_workflow = register(
    Workflow(
        "receivable",
        model=Receivable,
        subject=gettext_lazy("该追回款"),
        transitions=[
            T("collect", gettext_lazy("登记收回"), (S.OPEN,), None, COLLECTORS),
            T("reverse_instalment", gettext_lazy("冲正收回"), (S.OPEN, S.SETTLED), None, COLLECTORS,
              guards=(has_reversible_instalment,)),
            T("propose_write_off", gettext_lazy("提出核销"), (S.OPEN,), S.WRITE_OFF_PROPOSED, COLLECTORS),
            T("approve_write_off", gettext_lazy("批准核销"), (S.WRITE_OFF_PROPOSED,), S.WRITTEN_OFF,
              WRITE_OFF_APPROVERS, duties=(not_the_proposer,)),
            T("reject_write_off", gettext_lazy("不予核销"), (S.WRITE_OFF_PROPOSED,), S.OPEN, WRITE_OFF_APPROVERS,
              duties=(not_the_proposer,)),
        ],
    )
)  # fmt: skip
