"""The payment batch and the one-off grant, each declared once (see hardship/workflow.py).

The batch: centre staff start it for a period (待计算); a Celery worker takes the
run lock and computes it (计算中 → 待审批, or 计算失败); staff may compute it again
(重新计算: picks up changes, creates nothing twice) or release a lock left by a run
that died; a fund approver who did not start it approves (the payees are frozen and
the fund pays out at once) or rejects it; a worker then freezes the payees (name, card,
amount) in one transaction — the bank files wait for it, and a run that failed or died
is run again (重新锁定收款人; it never leaves a batch half-frozen); the bank files are
downloaded (已导出) and the bank's result is reconciled (已对账 once every payment is settled).

The grant: applied from a filed household's page (待审批); a fund approver who did
not apply approves or refuses it; the next batch's computation schedules an
approved grant into itself (已纳入批次), and a rejected batch sends it back.

The worker's moves are not users' actions: ``COMPUTE_FROM`` (the states a run may
start from) and ``GRANT_SCHEDULABLE`` are read by the engine from here.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Status
from hardship.models import Role
from hardship.workflow import Transition, Workflow, holds_role_over, register, rule

from .balances import approval_figures
from .models import Batch, Grant
from .periods import parse_quarter, period_not_begun

B, G, F = Batch.Status, Grant.Status, Batch.Freeze
CENTRE, APPROVER = Role.CENTRE_STAFF, Role.FUND_APPROVER
# Who applies for a one-off grant on a household's behalf: the union that took the file, or the centre.
GRANT_APPLICANTS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF)


def stale_after() -> timedelta:
    """A run lock whose heartbeat is older than this belongs to a run that died."""
    return timedelta(seconds=settings.BATCH_STALE_SECONDS)


def lock_is_stale(batch: Batch) -> bool:
    return bool(batch.lock_token and batch.locked_at and timezone.now() - batch.locked_at > stale_after())


# Duties: who may take the action (a refusal hides it).


@rule(q=lambda user: ~Q(created_by=user))
def not_the_starter(batch: Batch, user) -> str | None:
    """Four eyes: whoever started the batch does not approve or reject it."""
    if batch.created_by_id == user.pk:
        return _("您发起了这个批次，不能自己审批。")
    return None


@rule(q=lambda user: ~Q(applied_by=user))
def not_the_applicant(grant: Grant, user) -> str | None:
    if grant.applied_by_id == user.pk:
        return _("您提交了这个申请，不能自己审批。")
    return None


# Guards: when it may be taken (a refusal greys the button out with the sentence).


def period_begun(batch: Batch, user) -> str | None:
    return period_not_begun(parse_quarter(batch.period))


def lock_gone_stale(batch: Batch, user) -> str | None:
    if batch.lock_token and not lock_is_stale(batch):
        return _("计算任务仍在运行（%(s)s 前有进展），请稍后再试。") % {
            "s": timezone.localtime(batch.locked_at).strftime("%H:%M:%S")
        }
    return None


def budget_covers(batch: Batch, user) -> str | None:
    """The fund's balance of the period's year covers the batch (asked under the account's row lock)."""
    figures = approval_figures(batch=batch)
    if figures.total > figures.balance:
        return _("预算不足：%(y)s 年度资金余额 %(b)s 元，本批次需 %(r)s 元。请先拨入预算。") % {
            "y": figures.year, "b": figures.balance, "r": figures.total}  # fmt: skip
    return None


def payees_frozen(batch: Batch, user) -> str | None:
    """Bank files are written from the frozen payees only."""
    if batch.freeze == F.DONE:
        return None
    if batch.freeze == F.FAILED:
        return _("收款人信息锁定失败，请先点击“重新锁定收款人”，完成后再下载银行文件。")
    return _("正在锁定收款人信息，完成后即可下载银行文件。")


def freeze_unfinished(batch: Batch, user) -> str | None:
    """A freeze that failed, was never picked up, or whose worker died may be run again (it is idempotent)."""
    if batch.freeze == F.DONE:
        return _("收款人信息已锁定，无需重新锁定。")
    started = batch.freeze_started_at
    if batch.freeze in (F.QUEUED, F.RUNNING) and started and timezone.now() - started <= stale_after():
        return _("正在锁定收款人信息（%(s)s 开始），请稍后再试。") % {
            "s": timezone.localtime(started).strftime("%H:%M:%S")
        }
    return None


def grant_apply_refusal(household, user) -> str | None:
    """Why ``user`` may not apply for a one-off grant for this household (None: they may).

    Asked by the file's 申请一次性救助 button (through hardship.file_actions) and by the service."""
    if household.status != Status.FILED:
        return _("只有已建档的家庭可以申请一次性救助。")
    if not holds_role_over(user, GRANT_APPLICANTS, household.union):
        return _("您在“%(u)s”没有申请一次性救助的权限。") % {"u": household.union.name}
    return None


T = Transition
batch_workflow = register(
    Workflow(
        "payment_batch",
        model=Batch,
        subject=gettext_lazy("该批次"),
        transitions=[
            # The run itself moves it to 计算中; the worker then leaves it 待审批 or 计算失败.
            T("recompute", gettext_lazy("重新计算"), (B.PENDING, B.FAILED, B.COMPUTED), None, (CENTRE,),
              guards=(period_begun,)),
            T("release_lock", gettext_lazy("释放计算锁"), (B.RUNNING,), B.FAILED, (CENTRE,),
              guards=(lock_gone_stale,)),
            T("approve", gettext_lazy("审批通过"), (B.COMPUTED,), B.APPROVED, (APPROVER,),
              duties=(not_the_starter,), guards=(budget_covers,)),
            T("reject", gettext_lazy("驳回"), (B.COMPUTED,), B.REJECTED, (APPROVER,), duties=(not_the_starter,)),
            # The freeze runs again after a failure, or when its worker died (its start gone stale).
            T("freeze_retry", gettext_lazy("重新锁定收款人"), (B.APPROVED,), B.APPROVED, (APPROVER, CENTRE),
              guards=(freeze_unfinished,)),
            T("bank_file", gettext_lazy("下载银行文件"), (B.APPROVED, B.EXPORTED), B.EXPORTED, (APPROVER, CENTRE),
              guards=(payees_frozen,)),
            # A result file that settles only part of the payments leaves it 已导出 until the rest come.
            T("reconcile", gettext_lazy("上传结果并对账"), (B.EXPORTED, B.RECONCILED), B.RECONCILED,
              (APPROVER, CENTRE)),
        ],
    )
)  # fmt: skip

# A run may start from what 重新计算 starts from, or take over a run that died (its lock gone stale).
COMPUTE_FROM = (*batch_workflow.transition("recompute").sources, B.RUNNING)

grant_workflow = register(
    Workflow(
        "grant",
        model=Grant,
        subject=gettext_lazy("该申请"),
        union=lambda grant: grant.household.union,
        union_field="household__union",
        transitions=[
            T("approve", gettext_lazy("批准"), (G.APPLIED,), G.APPROVED, (APPROVER,), duties=(not_the_applicant,)),
            T("reject", gettext_lazy("不批准"), (G.APPLIED,), G.REJECTED, (APPROVER,), duties=(not_the_applicant,)),
        ],
    )
)  # fmt: skip

# The computation schedules approved grants into its batch; a rejected batch sends them back.
GRANT_SCHEDULABLE = (G.APPROVED,)
