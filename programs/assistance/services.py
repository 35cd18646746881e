"""Every write about money: batches, approval, bank files, reconciliation, the ledger, grants, standards.

Each action of a batch or a grant has one shape: lock the row, ask the workflow
(programs/assistance/workflow.py) on the locked row, check the input, write with
``update_fields``, record the audit event, queue follow-ups with ``on_commit`` —
in one transaction. A refusal is ``ActionRefused`` with the sentence shown to the
user. Money is Decimal throughout.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from cases.models import Household
from hardship.access import scope_unions, user_has_role
from hardship.models import ExportJob, Role, Union, User
from hardship.money import money
from hardship.notify import notify_families
from hardship.services import audit_record, export_start
from hardship.spreadsheet import csv_bytes, csv_write, xlsx_append
from hardship.tasks import enqueue
from hardship.workflow import ActionRefused, Transition, holds_role_over
from programs.reports.tasks import refresh_dashboard_soon

from .balances import approval_figures
from .batch import grant_move
from .freeze import batch_freeze_now
from .models import Batch, Entitlement, FundAccount, Grant, LedgerEntry, Payment, Program, ProgramKind, ProgramStandard
from .periods import Quarter, is_late, parse_quarter, period_not_begun, quarter_of
from .selectors import batch_exists_refusal
from .tasks import compute_batch, freeze_batch
from .workflow import GRANT_SCHEDULABLE, batch_workflow, grant_apply_refusal, grant_workflow

CENTRE = (Role.CENTRE_STAFF,)
APPROVERS = (Role.FUND_APPROVER,)


def _require(actor: User, union: Union, roles: tuple[str, ...], what: str) -> None:
    """For the writes that are no transition of a state machine (start a batch, apply, allocate, standards)."""
    if not holds_role_over(actor, roles, union):
        raise ActionRefused(_("您在“%(u)s”没有%(w)s的权限。") % {"u": union.name, "w": what})


def fund_unions(user, roles=CENTRE):
    """Unions with a fund (programs) the user may act on."""
    return scope_unions(user, roles).filter(programs__isnull=False).distinct().order_by("path")


# Batches.


def _lock_batch(batch_id: int) -> Batch:
    return Batch.objects.select_for_update(of=("self",)).select_related("union").get(pk=batch_id)


def _begin(actor: User, batch_id: int, action: str) -> tuple[Batch, Transition]:
    """Lock the batch row, then ask the workflow on it: the decision is taken on what is in the database now."""
    batch = _lock_batch(batch_id)
    return batch, batch_workflow.check(batch, actor, action)


def _create_batch(*, actor: User | None, union: Union, quarter: Quarter, late: bool, request=None) -> Batch:
    """One live batch per fund and period (a constraint): a second start is refused, never a 500."""
    try:
        with transaction.atomic():
            batch = Batch.objects.create(union=union, period=quarter.key, created_by=actor)
            changes = {"period": (None, quarter.key), **({"late": (None, True)} if late else {})}
            audit_record(actor=actor, verb="batch.start", target=batch, union=union, request=request, changes=changes)
            transaction.on_commit(lambda: _enqueue_compute(batch))
    except IntegrityError as exc:
        raise ActionRefused(batch_exists_refusal(union, quarter)) from exc
    return batch


def batch_start(*, actor: User, union: Union, period: str, confirmed: bool = False, late_confirmed: bool = False,
                request=None) -> Batch:  # fmt: skip
    """Centre staff start the batch of a period, after confirming what it will do; a Celery worker computes it.

    A period not yet begun cannot be computed; one already over is a 补发 and is
    confirmed as such (``late_confirmed``), on top of the confirmation of the preview.
    """
    _require(actor, union, CENTRE, _("发起发放批次"))
    quarter = parse_quarter(period)
    refusal = period_not_begun(quarter)
    if refusal:
        raise ActionRefused(refusal)
    if not Program.objects.filter(fund_union=union, is_active=True).exists():
        raise ActionRefused(_("“%(u)s”没有启用的帮扶项目。") % {"u": union.name})
    if not confirmed:
        raise ActionRefused(_("请先核对本批次将发放的期间、项目、户数和金额，再确认发起。"))
    late = is_late(quarter)
    if late and not late_confirmed:
        raise ActionRefused(
            _("%(p)s 已于 %(d)s 结束，本批次为补发：请勾选“确认补发”后再发起。") % {"p": quarter.key, "d": quarter.end}
        )
    return _create_batch(actor=actor, union=union, quarter=quarter, late=late, request=request)


def batches_start_due(*, on: date) -> list[int]:
    """Beat, at the start of each quarter: one batch per fund with active programs, unless staff started it."""
    quarter = quarter_of(on)
    started = []
    for union in Union.objects.filter(programs__is_active=True).distinct().order_by("path"):
        try:
            started.append(_create_batch(actor=None, union=union, quarter=quarter, late=False).pk)
        except ActionRefused:
            continue  # already started by staff
    return started


def batch_recompute(*, actor: User, batch_id: int, request=None) -> Batch:
    """Run the computation again (after a failure, or to pick up changes). Idempotent."""
    with transaction.atomic():
        batch, _step = _begin(actor, batch_id, "recompute")
        audit_record(actor=actor, verb="batch.recompute", target=batch, union=batch.union, request=request)
        transaction.on_commit(lambda: _enqueue_compute(batch))
    return batch


def _enqueue_compute(batch: Batch) -> None:
    """After the commit, queue the computation. With the broker (Redis) down the batch is saved and
    stays 待计算; ``batch.queued`` tells the page to say so, and 重新计算 queues it later."""
    batch.queued = enqueue(compute_batch, batch.pk)


def _account(union: Union, year: int) -> FundAccount:
    account, _created = FundAccount.objects.get_or_create(union=union, year=year)
    return FundAccount.objects.select_for_update().get(pk=account.pk)


def batch_approve(*, actor: User, batch_id: int, confirmed_total: Decimal | None = None, request=None) -> Batch:
    """A fund approver who did not start the batch approves the total they confirmed.

    The budget check is serialised by locking the fund's account row before the
    workflow asks it; the approval and the fund's ledger row are recorded at once. Each
    payee's name, card and amount are then frozen: in this transaction for a small batch,
    by a worker for a large one (programs/assistance/freeze.py), the bank files waiting for it.
    """
    with transaction.atomic():
        batch = _lock_batch(batch_id)
        year = parse_quarter(batch.period).year
        account = _account(batch.union, year)  # the lock that serialises budget checks
        step = batch_workflow.check(batch, actor, "approve")
        figures = approval_figures(batch=batch)
        if confirmed_total is None:
            raise ActionRefused(_("请核对本批次金额和资金余额后确认批准。"))
        if money(confirmed_total) != figures.total:
            raise ActionRefused(_("本批次金额已变为 %(t)s 元（您确认的是 %(c)s 元），请刷新页面重新核对后再批准。")
                                % {"t": figures.total, "c": money(confirmed_total)})  # fmt: skip
        # The money leaves the fund now, under the account's lock; the payees are frozen by a worker.
        if figures.total:
            memo = _("%(p)s 批次发放 %(n)d 笔") % {"p": batch.period, "n": figures.payments}
            LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.PAYMENT, amount=-figures.total,
                                       batch=batch, memo=memo, created_by=actor)  # fmt: skip
        old, now = batch.status, timezone.now()
        batch.status, batch.decided_by, batch.decided_at = step.target, actor, now
        batch.freeze, batch.freeze_total, batch.freeze_done = Batch.Freeze.QUEUED, figures.payments, 0
        batch.freeze_started_at, batch.freeze_error = now, ""
        batch.save(update_fields=["status", "decided_by", "decided_at", "freeze", "freeze_total", "freeze_done",
                                  "freeze_started_at", "freeze_error"])  # fmt: skip
        audit_record(actor=actor, verb="batch.approve", target=batch, union=batch.union, request=request,
                     changes={"status": (old, batch.status), "amount": (None, str(figures.total)),
                              "balance": (str(figures.balance), str(figures.after)),
                              "payments": (None, figures.payments)})  # fmt: skip
        if figures.payments <= settings.FREEZE_INLINE_MAX_PAYMENTS:
            batch_freeze_now(batch=batch, actor=actor, request=request)
        else:
            transaction.on_commit(lambda: _enqueue_freeze(batch))
        refresh_dashboard_soon()
        return batch


def batch_freeze_retry(*, actor: User, batch_id: int, request=None) -> Batch:
    """Run the freeze of the payees again, after it failed or its worker died: it never freezes twice."""
    with transaction.atomic():
        batch, _step = _begin(actor, batch_id, "freeze_retry")
        old = batch.freeze
        batch.freeze, batch.freeze_done, batch.freeze_started_at = Batch.Freeze.QUEUED, 0, timezone.now()
        batch.save(update_fields=["freeze", "freeze_done", "freeze_started_at"])
        audit_record(actor=actor, verb="batch.freeze_retry", target=batch, union=batch.union, request=request,
                     changes={"freeze": (old, batch.freeze)})  # fmt: skip
        transaction.on_commit(lambda: _enqueue_freeze(batch))
    return batch


def _enqueue_freeze(batch: Batch) -> None:
    """After the commit, queue the freeze. With the broker down the approval stands and the freeze is
    marked failed at once, so 重新锁定收款人 is offered without waiting for it to go stale."""
    batch.queued = enqueue(freeze_batch, batch.pk)
    if not batch.queued:
        note = _("后台任务服务（Redis）暂时连不上，收款人尚未锁定。")
        Batch.objects.filter(pk=batch.pk, freeze=Batch.Freeze.QUEUED).update(freeze=Batch.Freeze.FAILED,
                                                                             freeze_error=note)  # fmt: skip


def batch_reject(*, actor: User, batch_id: int, reason: str, request=None) -> Batch:
    """Reject with a reason: nothing was paid, so its entitlements are withdrawn and it can be redone."""
    with transaction.atomic():
        batch, step = _begin(actor, batch_id, "reject")
        reason = (reason or "").strip()
        if not reason:
            raise ActionRefused(_("请填写驳回原因。"))
        pending = Payment.objects.filter(batch=batch, status=Payment.Status.PENDING)
        withdrawn = pending.count()
        grant_keys = batch.entitlements.filter(period_key__startswith="G").values_list("period_key", flat=True)
        grants = Grant.objects.select_for_update().filter(status=Grant.Status.SCHEDULED,
                                                           pk__in=[int(k[1:]) for k in grant_keys])  # fmt: skip
        for grant in grants.select_related("household__union", "program"):
            grant_move(grant=grant, to=GRANT_SCHEDULABLE[0], actor=actor, verb="grant.unschedule", batch=batch)
        # Re-issues of older entitlements wait for the next batch again; this batch's own are withdrawn.
        Entitlement.objects.filter(payments__batch=batch, payments__status=Payment.Status.PENDING).exclude(
            batch=batch).update(awaiting_payment=True)  # fmt: skip
        pending.delete()  # never approved, never sent: no money moved
        batch.entitlements.filter(payments__isnull=True).delete()
        old = batch.status
        batch.status, batch.decided_by, batch.decided_at = step.target, actor, timezone.now()
        batch.decision_reason = reason[:200]
        batch.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(actor=actor, verb="batch.reject", target=batch, union=batch.union, request=request,
                     changes={"status": (old, batch.status), "reason": (None, reason),
                              "withdrawn": (None, withdrawn)})  # fmt: skip
        return batch


# Bank files.

BANK_COLUMNS = ["参考号", "收款人姓名", "银行卡号", "金额", "开户银行", "摘要"]


def bank_file_rows(*, batch: Batch, bank: str):
    payments = (
        Payment.objects.filter(batch=batch, bank_name=bank, status__in=[Payment.Status.APPROVED,
                                                                          Payment.Status.EXPORTED])
        .select_related("entitlement__program").order_by("id")
    )  # fmt: skip
    for p in payments.iterator(chunk_size=2000):
        # The amount stays a Decimal to the fen (a number in the workbook, "350.00" in the CSV).
        yield [p.reference, p.payee_name, p.card_number, money(p.amount), p.bank_name,
               f"{batch.period} {p.entitlement.program.name}"]  # fmt: skip


BANK_FILE_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def bank_file_count(*, batch: Batch, bank: str) -> int:
    reported = [Payment.Status.APPROVED, Payment.Status.EXPORTED]
    return Payment.objects.filter(batch=batch, bank_name=bank, status__in=reported).count()


def _bank_file_taken(*, actor: User, batch_id: int, bank: str, fmt: str, request=None) -> tuple[Batch, int]:
    """The transition every bank file is: its payments reported to the bank (已报银行), an audit event."""
    batch, step = _begin(actor, batch_id, "bank_file")
    rows = bank_file_count(batch=batch, bank=bank)
    if not rows:
        raise ActionRefused(_("该银行没有待发放的记录。"))
    Payment.objects.filter(batch=batch, bank_name=bank, status=Payment.Status.APPROVED).update(
        status=Payment.Status.EXPORTED)  # fmt: skip
    if batch.status != step.target:
        batch.status = step.target
        batch.save(update_fields=["status"])
    audit_record(actor=actor, verb="batch.bank_file", target=batch, union=batch.union, request=request,
                 changes={"bank": (None, bank), "rows": (None, rows), "format": (None, fmt)})  # fmt: skip
    return batch, rows


def bank_file(*, actor: User, batch_id: int, bank: str, fmt: str, request=None) -> tuple[bytes, str]:
    """The bank's payment file (.xlsx or .csv) for one bank, written in the request; each download is an audit event."""
    with transaction.atomic():
        batch, _rows = _bank_file_taken(actor=actor, batch_id=batch_id, bank=bank, fmt=fmt, request=request)
        rows = list(bank_file_rows(batch=batch, bank=bank))
    if fmt == "csv":
        return csv_bytes([BANK_COLUMNS, *rows]), BANK_FILE_TYPES["csv"]
    return _bank_workbook(rows), BANK_FILE_TYPES["xlsx"]


def bank_file_export(*, actor: User, batch_id: int, bank: str, fmt: str, request=None) -> ExportJob:
    """A large bank file: the same transition, the file written by a worker (「我的导出」, 24 hours)."""
    with transaction.atomic():
        batch, rows = _bank_file_taken(actor=actor, batch_id=batch_id, bank=bank, fmt=fmt, request=request)
        return export_start(owner=actor, kind="bank_file",
                            title=_("%(p)s %(b)s 代发文件（%(n)s 笔）") % {"p": batch.period, "b": bank, "n": rows},
                            params={"batch": batch.pk, "bank": bank, "format": fmt}, union=batch.union,
                            roles=batch_workflow.transition("bank_file").roles, rows_total=rows,
                            content_type=BANK_FILE_TYPES[fmt],
                            filename=f"batch-{batch.pk}-{batch.period}-{bank or 'bank'}.{fmt}")  # fmt: skip


def bank_file_job(job: ExportJob, out, progress) -> int:
    """The export job of a bank file (hardship.exports): streamed, cells escaped, as the request writes it."""
    batch = Batch.objects.get(pk=job.params["batch"])
    rows = _counted(bank_file_rows(batch=batch, bank=job.params["bank"]), progress)
    if job.params["format"] == "csv":
        return csv_write(out, _with_header(rows)) - 1
    return _bank_workbook_write(rows, out)


def _counted(rows, progress):
    for count, row in enumerate(rows, start=1):
        if count % 2000 == 0:
            progress(count)
        yield row


def _with_header(rows):
    yield BANK_COLUMNS
    yield from rows


def _bank_workbook(rows: list[list]) -> bytes:
    out = io.BytesIO()
    _bank_workbook_write(rows, out)
    return out.getvalue()


def _bank_workbook_write(rows, out) -> int:
    count = 0
    book = Workbook(write_only=True)
    sheet = book.create_sheet("代发明细")
    xlsx_append(sheet, BANK_COLUMNS)
    for reference, payee, card, amount, bank, summary in rows:
        # Card numbers are text (no scientific notation, leading zeros kept); amounts are numbers to the fen.
        card_cell, amount_cell = WriteOnlyCell(sheet, value=card), WriteOnlyCell(sheet, value=amount)
        card_cell.number_format, amount_cell.number_format = "@", "0.00"
        xlsx_append(sheet, [reference, payee, card_cell, amount_cell, bank, summary])
        count += 1
    book.save(out)
    return count


# Reconciliation.


@dataclass
class ReconcileResult:
    paid: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


RESULT_PAID = {"成功", "已到账", "success", "paid", "ok"}
RESULT_FAILED = {"失败", "退回", "failed", "fail", "rejected"}


def _read_result_rows(upload) -> list[list[str]]:
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
            # Rows are read lazily: a damaged sheet fails here, not in load_workbook.
            return [["" if c is None else str(c).strip() for c in row] for row in sheet.iter_rows(values_only=True)]
        except Exception as exc:  # noqa: BLE001 — any unreadable workbook gets the same answer
            raise ValidationError(_("无法读取该 Excel 文件，请确认是银行返回的 .xlsx 结果文件。")) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise ValidationError(_("无法识别文件编码，请上传 UTF-8 或 GBK 编码的 CSV。")) from exc
    try:
        return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]
    except csv.Error as exc:  # a cell past csv's field limit (131,072 characters): not a bank's result file
        raise ValidationError(_("无法读取该 CSV 文件，请确认是银行返回的结果文件。")) from exc


def batch_reconcile(*, actor: User, batch_id: int, upload, request=None) -> ReconcileResult:
    """Apply the bank's result file: each payment becomes paid or failed (with a reversing ledger
    entry). Every row is checked first; nothing is applied unless all rows are valid."""
    if upload.size > 20 * 1024 * 1024:
        raise ValidationError(_("结果文件超过 20 MB。"))
    rows = _read_result_rows(upload)
    if not rows or "参考号" not in rows[0] or "结果" not in rows[0]:
        raise ValidationError(_("结果文件第一行应包含“参考号”和“结果”两列。"))
    if not any(any(row) for row in rows[1:]):  # else "对账完成：到账 0 笔" for a file with only its header
        raise ValidationError(_("结果文件中没有数据行，请确认上传的是银行返回的结果文件。"))
    header = rows[0]
    ref_col, result_col = header.index("参考号"), header.index("结果")
    reason_col = header.index("原因") if "原因" in header else None
    result = ReconcileResult()
    with transaction.atomic():
        batch, step = _begin(actor, batch_id, "reconcile")
        payments = {p.reference: p for p in Payment.objects.select_for_update().filter(batch=batch)}
        outcomes = []
        for number, row in enumerate(rows[1:], start=2):
            if not any(row):
                continue
            reference = row[ref_col] if ref_col < len(row) else ""
            verdict = (row[result_col] if result_col < len(row) else "").lower()
            payment = payments.get(reference)
            if payment is None:
                result.errors.append(_("第 %(n)d 行：参考号 %(r)s 不属于本批次。") % {"n": number, "r": reference[:30]})
                continue
            if verdict in RESULT_PAID:
                outcome = Payment.Status.PAID
            elif verdict in RESULT_FAILED:
                outcome = Payment.Status.FAILED
            else:
                result.errors.append(_("第 %(n)d 行：结果“%(v)s”无法识别，应为“成功”或“失败”。")
                                     % {"n": number, "v": verdict[:20]})  # fmt: skip
                continue
            if payment.status in (Payment.Status.PAID, Payment.Status.FAILED) and payment.status != outcome:
                result.errors.append(_("第 %(n)d 行：%(r)s 已对账为“%(s)s”，不能改为其他结果。")
                                     % {"n": number, "r": reference, "s": payment.get_status_display()})  # fmt: skip
                continue
            if payment.status not in (Payment.Status.EXPORTED, outcome):
                result.errors.append(_("第 %(n)d 行：%(r)s 尚未报送银行。") % {"n": number, "r": reference})
                continue
            reason = row[reason_col] if reason_col is not None and reason_col < len(row) else ""
            outcomes.append((payment, outcome, reason))
        if result.errors:
            return result
        account = _account(batch.union, parse_quarter(batch.period).year)
        now = timezone.now()
        for payment, outcome, reason in outcomes:
            if payment.status == outcome:
                continue  # the same file uploaded twice changes nothing
            payment.status, payment.settled_at, payment.failure_reason = outcome, now, reason[:200]
            payment.save(update_fields=["status", "settled_at", "failure_reason"])
            if outcome == Payment.Status.FAILED:
                Entitlement.objects.filter(pk=payment.entitlement_id).update(
                    awaiting_payment=True, failed_card=payment.card_number)  # fmt: skip
                LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.REVERSAL, amount=payment.amount,
                                           batch=batch, payment=payment, created_by=actor,
                                           memo=_("%(r)s 发放失败冲回：%(w)s") % {"r": payment.reference,
                                                                             "w": reason[:100]})  # fmt: skip
                result.failed += 1
            else:
                result.paid += 1
        _tell_paid([p.pk for p, outcome, _r in outcomes if outcome == Payment.Status.PAID])
        if (
            not Payment.objects.filter(
                batch=batch, status__in=[Payment.Status.APPROVED, Payment.Status.EXPORTED]
            ).exists()
            and batch.status != step.target
        ):
            batch.status = step.target
            batch.save(update_fields=["status"])
        audit_record(actor=actor, verb="batch.reconcile", target=batch, union=batch.union, request=request,
                     changes={"paid": (None, result.paid), "failed": (None, result.failed)})  # fmt: skip
        refresh_dashboard_soon()
    return result


def _tell_paid(payment_ids: list[int]) -> None:
    """Each family whose payment arrived is told once (the payment names the occurrence), after the commit."""
    rows = Payment.objects.filter(pk__in=payment_ids).values_list(
        "pk", "household_id", "amount", "card_number", "entitlement__program__name", "entitlement__period_key"
    )
    notify_families(events=[
        {"household_id": household_id, "event": "payment_paid", "key": f"payment:{pk}",
         "context": {"program": program, "period": period, "amount": str(money(amount)), "card": card[-4:]}}
        for pk, household_id, amount, card, program, period in rows
    ])  # fmt: skip


# The ledger.


def budget_allocate(*, actor: User, union: Union, year: int, amount: Decimal, memo: str, request=None) -> LedgerEntry:
    """Put budget into a union's fund for a year (a positive, append-only entry)."""
    _require(actor, union, APPROVERS, _("拨入预算"))
    if amount is None or amount <= 0:
        raise ValidationError(_("拨入金额必须大于 0。"))
    if amount > Decimal("1000000000"):
        raise ValidationError(_("拨入金额过大，请核对。"))
    with transaction.atomic():
        account = _account(union, year)
        entry = LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.ALLOCATION, amount=amount,
                                           memo=(memo or _("预算拨入"))[:200], created_by=actor)  # fmt: skip
        audit_record(actor=actor, verb="ledger.allocate", target=account, union=union, request=request,
                     changes={"amount": (None, str(amount))})  # fmt: skip
    return entry


# One-off grants.


def grant_apply(*, actor: User, household: Household, program: Program, amount: Decimal, reason: str,
                self_paid: Decimal | None = None, request=None) -> Grant:  # fmt: skip
    """Apply for a one-off grant (medical aid capped at the self-paid share) for a filed household."""
    refusal = grant_apply_refusal(household, actor)  # the file's button asks the same
    if refusal:
        raise ActionRefused(refusal)
    if program.kind != ProgramKind.ON_APPLICATION:
        raise ValidationError(_("该项目不接受申请。"))
    if not household.union.path.startswith(program.fund_union.path):
        raise ValidationError(_("该项目的资金不覆盖这个家庭所在的工会。"))
    if amount is None or amount <= 0:
        raise ValidationError(_("申请金额必须大于 0。"))
    if self_paid is not None and amount > self_paid:
        raise ValidationError(_("医疗救助金额不能超过个人自付部分（%(s)s 元）。") % {"s": self_paid})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写申请理由。"))
    year = timezone.localdate().year
    try:
        with transaction.atomic():
            grant = Grant.objects.create(household=household, program=program, amount=amount, self_paid=self_paid,
                                         reason=reason[:200], applied_by=actor, year=year)  # fmt: skip
            audit_record(actor=actor, verb="grant.apply", target=household, request=request,
                         changes={"grant": (None, f"{program.name} {amount}")})  # fmt: skip
    except IntegrityError as exc:
        # grant_one_open_per_household_program_year: the checks above settle the model's other constraints.
        raise ValidationError(
            _("该户 %(y)s 年度已有一份“%(p)s”申请（待审批、已批准或已纳入批次），不能重复申请。")
            % {"y": year, "p": program.name}
        ) from exc
    return grant


def grant_decide(*, actor: User, grant_id: int, approve: bool, reason: str = "", request=None) -> Grant:
    """A fund approver who did not apply approves the grant (paid in the next batch) or refuses it with a reason."""
    with transaction.atomic():
        grant = Grant.objects.select_for_update(of=("self",)).select_related("household__union", "program").get(
            pk=grant_id)  # fmt: skip
        step = grant_workflow.check(grant, actor, "approve" if approve else "reject")
        if not approve and not (reason or "").strip():
            raise ActionRefused(_("不批准时请写明原因。"))
        old = grant.status
        grant.status = step.target
        grant.decided_by, grant.decided_at, grant.decision_reason = actor, timezone.now(), (reason or "")[:200]
        grant.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit_record(actor=actor, verb="grant.approve" if approve else "grant.reject", target=grant.household,
                     request=request, changes={"grant": (None, f"{grant.program.name} {grant.amount}"),
                                               "status": (old, grant.status)})  # fmt: skip
    return grant


# Standards.


def program_standard_create(*, actor: User, program: Program, data: dict, request=None) -> ProgramStandard:
    """A new dated figure for a program; figures in force are never edited."""
    _require(actor, program.fund_union, CENTRE, _("调整发放标准"))
    try:
        with transaction.atomic():
            standard = ProgramStandard.objects.create(program=program, created_by=actor, **data)
            audit_record(actor=actor, verb="program_standard.create", target=standard, union=program.fund_union,
                         request=request, changes={k: (None, str(v)) for k, v in data.items()})  # fmt: skip
    except IntegrityError as exc:
        raise ValidationError(_("该项目在这一天已有同一类别的标准。")) from exc
    return standard


def parse_amount(text: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(_("金额格式不正确。")) from exc
    return value


def user_is_approver(user) -> bool:
    return user_has_role(user, *APPROVERS)
