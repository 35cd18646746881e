"""Every write of a register import: upload, check again, approve, commit again, discard (each audited)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.access import scope_unions
from hardship.models import Union, User
from hardship.services import audit_record
from hardship.tasks import enqueue

from .engine import content_hash, kind_of
from .models import ImportStage, RegisterImport
from .workflow import register_workflow

ALLOWED_SUFFIXES = (".xlsx", ".csv")
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


def register_upload(*, actor: User, union: Union, kind: str, file, request=None) -> RegisterImport:
    """Keep an uploaded register file at ``union`` and queue its check; nothing is filed until approved."""
    spec = kind_of(kind)
    if not scope_unions(actor, spec.roles).filter(pk=union.pk).exists():
        raise PermissionDenied(_("该工会不在您的辖区内，不能导入。"))
    name = getattr(file, "name", "") or ""
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise PermissionDenied(_("只能导入 .xlsx 或 .csv 文件，“%(name)s”不是。") % {"name": name[:60]})
    if (getattr(file, "size", 0) or 0) > MAX_UPLOAD_BYTES:
        raise PermissionDenied(_("文件过大，每个导入文件不能超过 200 MB，请拆分后分别导入。"))
    digest = content_hash(file)
    with transaction.atomic():
        register_import = RegisterImport(
            kind=kind, union=union, file_name=name[:200], content_hash=digest, uploaded_by=actor
        )
        register_import.file.save(f"{digest[:16]}{name[-5:].lower()}", file, save=False)
        register_import.save()
        audit_record(actor=actor, verb="register.upload", target=register_import,
                     changes={"register_file": (None, register_import.file_name)}, request=request)  # fmt: skip
        transaction.on_commit(lambda: _queue_check(register_import.pk))
    return register_import


def _queue_check(import_id: int) -> None:
    # Here, not at the top, for a cycle: tasks imports the engine, which this module's callers load first.
    from .tasks import stage_register  # noqa: PLC0415

    enqueue(stage_register, import_id)


def _queue_commit(import_id: int) -> None:
    from .tasks import commit_register  # noqa: PLC0415 — the same cycle as _queue_check

    enqueue(commit_register, import_id)


def _locked(import_id: int) -> RegisterImport:
    return (
        RegisterImport.objects.select_for_update(of=("self",)).select_related("union", "uploaded_by").get(pk=import_id)
    )


def register_approve(*, actor: User, import_id: int, request=None) -> RegisterImport:
    """A second centre user approves the stage: recorded at once; a worker commits it in one transaction."""
    return _confirm(actor, import_id, "approve", request)


def register_import_drafts(*, actor: User, import_id: int, request=None) -> RegisterImport:
    """新建档案: the uploader confirms a clean stage; a worker opens its drafts in one transaction."""
    return _confirm(actor, import_id, "import_drafts", request)


def _confirm(actor: User, import_id: int, transition: str, request) -> RegisterImport:
    """The stage's go-ahead (``transition``, as the register workflow declares who may give it): recorded
    and audited at once; the commit is queued when this transaction commits."""
    with transaction.atomic():
        register_import = _locked(import_id)
        step = register_workflow.check(register_import, actor, transition)
        register_import.status = step.target
        register_import.approved_by = actor
        register_import.approved_at = timezone.now()
        register_import.save(update_fields=["status", "approved_by", "approved_at"])
        audit_record(actor=actor, verb=f"register.{transition}", target=register_import,
                     changes={"status": (ImportStage.CHECKED, step.target)}, request=request)  # fmt: skip
        transaction.on_commit(lambda: _queue_commit(import_id))
    return register_import


def register_commit_again(*, actor: User, import_id: int, request=None) -> RegisterImport:
    """Queue the commit of an approved import whose commit failed (it left nothing): all or nothing again."""
    with transaction.atomic():
        register_import = _locked(import_id)
        register_workflow.check(register_import, actor, "commit_again")
        previous = register_import.error
        register_import.error = ""
        register_import.save(update_fields=["error"])
        audit_record(actor=actor, verb="register.commit_again", target=register_import,
                     changes={"error": (previous[:200], "")}, request=request)  # fmt: skip
        transaction.on_commit(lambda: _queue_commit(import_id))
    return register_import


def register_recheck(*, actor: User, import_id: int, request=None) -> RegisterImport:
    """Queue the check again, from the start, of an upload whose check failed or has stalled (no worker
    took it, or its worker died): what an earlier run staged is cleared by the check itself."""
    with transaction.atomic():
        register_import = _locked(import_id)
        step = register_workflow.check(register_import, actor, "recheck")
        previous = register_import.status
        register_import.status = step.target
        register_import.error = ""
        register_import.rows_read = 0
        register_import.progress_at = timezone.now()  # two more minutes before it may be asked again
        register_import.save(update_fields=["status", "error", "rows_read", "progress_at"])
        audit_record(actor=actor, verb="register.recheck", target=register_import,
                     changes={"status": (previous, step.target)}, request=request)  # fmt: skip
        transaction.on_commit(lambda: _queue_check(import_id))
    return register_import


def register_discard(*, actor: User, import_id: int, request=None) -> RegisterImport:
    """Set a stage aside: nothing of it is ever committed; the file and its check stay for the record."""
    with transaction.atomic():
        register_import = _locked(import_id)
        step = register_workflow.check(register_import, actor, "discard")
        previous = register_import.status
        register_import.status = step.target
        register_import.discarded_by = actor
        register_import.save(update_fields=["status", "discarded_by"])
        audit_record(actor=actor, verb="register.discard", target=register_import,
                     changes={"status": (previous, step.target)}, request=request)  # fmt: skip
    return register_import


def register_commit_failed(*, import_id: int, error: str) -> None:
    """The worker's commit failed and rolled back: the import stays approved, with the error, to commit again."""
    RegisterImport.objects.filter(pk=import_id, status=ImportStage.APPROVED).update(error=error[:2000] or "?")
