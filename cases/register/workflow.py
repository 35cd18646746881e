"""The register import's stage, declared once (see hardship/workflow.py).

Centre staff upload a register file; a worker checks and stages it (检查中 → 待复核, or 检查失败);
a second centre user — not the uploader — approves it (已批准，入库中), and the worker commits it in
one transaction (已入库). A commit that failed (a worker killed, a database error) leaves nothing and
the import approved with the error: it may be committed again. A stage not committed may be discarded.
新建档案 (drafts of the portal's template) is the same stage without the four eyes: its uploader reads
the summary and confirms the import (确认导入). A check whose worker is down stays 检查中: once it has
not moved for two minutes (or it failed), it may be checked again (重新检查), from the start.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hardship.models import Role
from hardship.workflow import Transition, Workflow, register, rule

from ..services import FILE_EDITORS
from .engine import kind_of
from .models import ImportStage, RegisterImport

S = ImportStage
CENTRE = Role.CENTRE_STAFF


@rule(q=lambda user: ~Q(uploaded_by=user))
def not_the_uploader(register_import: RegisterImport, user) -> str | None:
    """Four eyes: whoever uploaded the register does not approve it."""
    if register_import.uploaded_by_id == user.pk:
        return _("您上传了这个文件，不能自己批准入库，请由中心的另一位工作人员复核批准。")
    return None


def approved_by_another(register_import: RegisterImport, user) -> str | None:
    """A register is approved by a second person; a kind without four eyes (新建档案) is not approved."""
    if not kind_of(register_import.kind).four_eyes:
        return _("新建档案的导入由上传人确认导入，不需要批准。")
    return None


def own_drafts(register_import: RegisterImport, user) -> str | None:
    """新建档案: the uploader, having read the check's summary, imports the drafts themselves."""
    if kind_of(register_import.kind).four_eyes:
        return _("存量档案须由中心的另一位工作人员批准入库。")
    if register_import.uploaded_by_id != user.pk:
        return _("只有上传人可以确认导入。")
    return None


def no_errors(register_import: RegisterImport, user) -> str | None:
    errors = (register_import.counts or {}).get("errors", 0)
    if errors:
        return _("文件中有 %(n)s 处错误，不能入库。请修改后重新上传，并作废本次导入。") % {"n": errors}
    return None


def not_committing(register_import: RegisterImport, user) -> str | None:
    """An approved import is being committed by a worker unless its commit failed (it then shows the error)."""
    if register_import.status == S.APPROVED and not register_import.error:
        return _("正在入库，请稍候刷新本页。")
    return None


# A check that has not moved for this long has no worker on it (or lost it): it may be run again.
CHECK_STALLED_AFTER = timedelta(minutes=2)


def check_stalled(register_import: RegisterImport, user) -> str | None:
    """A check that failed, or has not moved for two minutes. A duty, not a guard: while the check moves
    there is nothing for anyone to do, so the page shows no button at all (not a greyed-out one)."""
    if register_import.status == S.FAILED:
        return None
    last = register_import.progress_at or register_import.uploaded_at
    if last is None or timezone.now() - last >= CHECK_STALLED_AFTER:
        return None
    return _("正在检查（两分钟内有进展），请稍候刷新本页。")


T = Transition
register_workflow = register(
    Workflow(
        "register_import",
        model=RegisterImport,
        subject=gettext_lazy("该导入"),
        transitions=[
            T("approve", gettext_lazy("批准入库"), (S.CHECKED,), S.APPROVED, (CENTRE,),
              duties=(approved_by_another, not_the_uploader), guards=(no_errors,)),
            T("import_drafts", gettext_lazy("确认导入"), (S.CHECKED,), S.APPROVED, FILE_EDITORS,
              duties=(own_drafts,), guards=(no_errors,)),
            T("commit_again", gettext_lazy("重新入库"), (S.APPROVED,), None, (CENTRE,),
              duties=(not_the_uploader,), guards=(not_committing,)),
            T("recheck", gettext_lazy("重新检查"), (S.CHECKING, S.FAILED), S.CHECKING, (CENTRE,),
              duties=(check_stalled,)),
            T("discard", gettext_lazy("作废"), (S.CHECKED, S.FAILED, S.APPROVED), S.DISCARDED, (CENTRE,),
              guards=(not_committing,)),
        ],
    )
)  # fmt: skip
