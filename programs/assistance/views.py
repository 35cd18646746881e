"""Money pages: programs and standards, batches (start, progress, approve, bank files, results), ledger, grants."""

from datetime import timedelta
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from cases import selectors as case_selectors
from cases.models import SchoolLevel, Tier
from hardship.access import role_required, user_has_role
from hardship.models import Role
from hardship.pagination import paginate
from hardship.views import broker_status

from . import batch as batch_engine
from . import selectors, services
from .forms import (
    AllocateForm,
    ApproveForm,
    BatchStartForm,
    GrantDecisionForm,
    GrantForm,
    ProgramStandardForm,
    ReconcileForm,
    RejectForm,
)
from .models import Batch, Payment
from .selectors import MONEY_READERS
from .workflow import GRANT_APPLICANTS, grant_apply_refusal

BROKER_DOWN_MESSAGE = _lazy(
    "批次已保存，但后台任务服务（Redis）暂时连不上，计算尚未开始。服务恢复后请在本页点击“重新计算”。"
)

FREEZE_BROKER_DOWN = _lazy(
    "批次已审批，但后台任务服务（Redis）暂时连不上，收款人尚未锁定。服务恢复后请在本页点击“重新锁定收款人”。"
)


def _error_text(exc) -> str:
    return exc.messages[0] if isinstance(exc, ValidationError) else (str(exc) or _("您没有权限执行此操作。"))


def _standard_order(standard) -> tuple[int, int]:
    """特困 before 深度困难 before 相对困难, 小学 before 大学: the order of the choices, not of their codes."""
    return Tier.values.index(standard.tier), SchoolLevel.values.index(standard.school_level)


@role_required(*MONEY_READERS)
def program_list(request):
    today = timezone.localdate()
    programs = []
    for program in selectors.program_list(user=request.user):
        in_force = {}
        for std in sorted(program.standards.all(), key=lambda s: s.effective_from):
            if std.effective_from <= today:
                in_force[(std.tier, std.school_level)] = std
        programs.append((program, sorted(in_force.values(), key=_standard_order)))
    return render(request, "programs/program_list.html", {
        "programs": programs, "can_edit": user_has_role(request.user, Role.CENTRE_STAFF)})  # fmt: skip


@role_required(Role.CENTRE_STAFF)
def program_standard_create(request, pk: int):
    program = selectors.program_get(user=request.user, pk=pk)
    form = ProgramStandardForm(request.POST or None, program=program)
    if request.method == "POST" and form.is_valid():
        try:
            services.program_standard_create(actor=request.user, program=program, data=form.cleaned_data,
                                             request=request)  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("新标准已保存，自生效日期起用于计算。"))
            return redirect("programs:program_list")
    history = program.standards.select_related("created_by").order_by("-effective_from", "tier")
    return render(request, "programs/program_standard_form.html",
                  {"program": program, "form": form, "history": history})  # fmt: skip


@role_required(*MONEY_READERS)
def batch_list(request):
    unions = services.fund_unions(request.user)
    form = BatchStartForm(unions=unions) if user_has_role(request.user, Role.CENTRE_STAFF) and unions else None
    page = paginate(selectors.batch_list(user=request.user), request.GET.get("page"))
    return render(request, "programs/batch_list.html", {"page": page, "form": form})


@require_POST
@role_required(Role.CENTRE_STAFF)
def batch_start(request):
    """First post: what the batch will do, to confirm (and a 补发 to confirm as such); second post: start it."""
    form = BatchStartForm(request.POST, unions=services.fund_unions(request.user))
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("programs:batch_list")
    union, period = form.cleaned_data["union"], form.cleaned_data["period"]
    if form.cleaned_data["confirm"]:
        try:
            batch = services.batch_start(actor=request.user, union=union, period=period, confirmed=True,
                                         late_confirmed=form.cleaned_data["late"], request=request)  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            if getattr(batch, "queued", True):
                messages.success(request, _("已发起 %(p)s 发放批次，正在后台计算。") % {"p": batch.period})
            else:
                messages.warning(request, BROKER_DOWN_MESSAGE)
            return redirect("programs:batch_detail", pk=batch.pk)
    preview = selectors.batch_preview(user=request.user, union=union, period=period)
    return render(request, "programs/batch_confirm.html", {"form": form, "preview": preview})


@role_required(*MONEY_READERS)
def batch_detail(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    status = request.GET.get("status", "") if request.GET.get("status") in Payment.Status.values else ""
    page = paginate(selectors.batch_payments(batch=batch, status=status), request.GET.get("page"), per_page=50)
    actions = selectors.batch_actions(user=request.user, batch=batch)
    running = batch.status in (Batch.Status.PENDING, Batch.Status.RUNNING)
    broker_down = running and broker_status() != "ok"
    # 待计算 and never picked up by a worker: queued while Redis was down, or the message was lost.
    waiting = (batch.status == Batch.Status.PENDING and not batch.lock_token
               and (broker_down or timezone.now() - batch.created_at > timedelta(minutes=1)))  # fmt: skip
    approve = actions.get("approve")
    return render(request, "programs/batch_detail.html", {
        "batch": batch, "page": page, "status": status, "statuses": Payment.Status.choices,
        "banks": selectors.batch_banks(batch=batch),
        "actions": actions,
        "figures": selectors.approval_figures(batch=batch) if batch.status == Batch.Status.COMPUTED else None,
        "waiting_note": "" if approve or "reject" in actions else selectors.batch_waiting_note(user=request.user,
                                                                                              batch=batch),
        "running": running,
        "broker_down": broker_down,
        "waiting": waiting,
        "reconcile_form": ReconcileForm(),
    })  # fmt: skip


@role_required(*MONEY_READERS)
def batch_progress(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    return JsonResponse({"status": batch.status, "status_label": batch.get_status_display(),
                         "percent": batch.progress_percent, "done": batch.done_chunks, "total": batch.total_chunks,
                         "error": batch.error, "freeze": batch.freeze, "freeze_percent": batch.freeze_percent,
                         "freeze_done": batch.freeze_done, "freeze_total": batch.freeze_total})  # fmt: skip


def _batch_action(request, pk: int, action, success: str, broker_down=BROKER_DOWN_MESSAGE):
    batch = selectors.batch_get(user=request.user, pk=pk)
    try:
        result = action(batch)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        if getattr(result, "queued", True):
            messages.success(request, success(result) if callable(success) else success)
        else:
            messages.warning(request, broker_down)
    return redirect("programs:batch_detail", pk=pk)


@require_POST
@role_required(Role.FUND_APPROVER)
def batch_approve(request, pk: int):
    selectors.batch_get(user=request.user, pk=pk)  # out of scope: 404, whatever was posted
    form = ApproveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请核对本批次金额和资金余额，勾选确认后再批准。"))
        return redirect("programs:batch_detail", pk=pk)
    return _batch_action(request, pk, lambda b: services.batch_approve(
        actor=request.user, batch_id=b.pk, confirmed_total=form.cleaned_data["confirmed_total"], request=request),
        _approved_message, FREEZE_BROKER_DOWN)  # fmt: skip


def _approved_message(batch) -> str:
    """A small batch is frozen inside its approval; a large one by a worker (the page shows its progress)."""
    if batch.freeze == batch.Freeze.DONE:
        return _("批次已审批，收款人信息已锁定，可以下载银行文件。")
    return _("批次已审批，资金已记账；正在后台锁定收款人信息，完成后即可下载银行文件。")


@require_POST
@role_required(Role.FUND_APPROVER, Role.CENTRE_STAFF)
def batch_freeze_retry(request, pk: int):
    return _batch_action(request, pk, lambda b: services.batch_freeze_retry(actor=request.user, batch_id=b.pk,
                                                                            request=request),
                         _("已重新提交锁定收款人；已锁定的不会重复。"), FREEZE_BROKER_DOWN)  # fmt: skip


@require_POST
@role_required(Role.FUND_APPROVER)
def batch_reject(request, pk: int):
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _batch_action(request, pk, lambda b: services.batch_reject(actor=request.user, batch_id=b.pk,
                                                                      reason=reason, request=request),
                         _("批次已驳回，可修正后重新发起。"))  # fmt: skip


@require_POST
@role_required(Role.CENTRE_STAFF)
def batch_recompute(request, pk: int):
    return _batch_action(request, pk, lambda b: services.batch_recompute(actor=request.user, batch_id=b.pk,
                                                                         request=request),
                         _("已重新提交计算；已生成的记录不会重复。"))  # fmt: skip


@require_POST
@role_required(Role.CENTRE_STAFF)
def batch_release_lock(request, pk: int):
    return _batch_action(request, pk, lambda b: batch_engine.batch_release_lock(actor=request.user, batch_id=b.pk,
                                                                                request=request),
                         _("已释放计算锁，可以重新计算。"))  # fmt: skip


@role_required(Role.FUND_APPROVER, Role.CENTRE_STAFF)
def batch_bank_file(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    bank, fmt = request.GET.get("bank", ""), request.GET.get("format", "xlsx")
    if fmt not in ("xlsx", "csv"):
        fmt = "xlsx"
    large = services.bank_file_count(batch=batch, bank=bank) > settings.EXPORT_INLINE_MAX_ROWS
    try:
        if large:  # written by a worker: 「我的导出」 offers it when ready
            services.bank_file_export(actor=request.user, batch_id=batch.pk, bank=bank, fmt=fmt, request=request)
        else:
            content, content_type = services.bank_file(actor=request.user, batch_id=batch.pk, bank=bank, fmt=fmt,
                                                       request=request)  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("programs:batch_detail", pk=pk)
    if large:
        messages.success(request, _("代发文件正在后台生成，完成后在“我的导出”下载（保留 24 小时）。"))
        return redirect("hardship:export_list")
    response = HttpResponse(content, content_type=content_type)
    filename = f"batch-{batch.pk}-{batch.period}-{bank or 'bank'}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    return quote(name)


@require_POST
@role_required(Role.FUND_APPROVER, Role.CENTRE_STAFF)
def batch_reconcile(request, pk: int):
    batch = selectors.batch_get(user=request.user, pk=pk)
    form = ReconcileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择银行返回的结果文件。"))
        return redirect("programs:batch_detail", pk=pk)
    try:
        result = services.batch_reconcile(actor=request.user, batch_id=batch.pk, upload=form.cleaned_data["file"],
                                          request=request)  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
        return redirect("programs:batch_detail", pk=pk)
    if result.errors:
        messages.error(request, _("结果文件有 %(n)d 处问题，未做任何更改：") % {"n": len(result.errors)})
        for error in result.errors[:20]:
            messages.error(request, error)
    else:
        messages.success(request, _("对账完成：到账 %(p)d 笔，失败 %(f)d 笔（失败的将在卡号更正后于下一批次补发）。")
                         % {"p": result.paid, "f": result.failed})  # fmt: skip
    return redirect("programs:batch_detail", pk=pk)


@role_required(*MONEY_READERS)
def ledger(request):
    accounts = list(selectors.account_list(user=request.user))
    current = None
    if accounts:
        wanted = request.GET.get("account")
        current = next((a for a in accounts if str(a.pk) == wanted), accounts[0])
    entries = paginate(current.entries.select_related("created_by", "batch").order_by("-id"), request.GET.get("page"),
                       per_page=50) if current else None  # fmt: skip
    can_allocate = bool(current) and selectors.approver_unions(request.user).filter(pk=current.union_id).exists()
    return render(request, "programs/ledger.html", {
        "accounts": accounts, "current": current, "page": entries, "can_allocate": can_allocate,
        "form": AllocateForm(initial={"year": current.year if current else timezone.localdate().year})})  # fmt: skip


@require_POST
@role_required(Role.FUND_APPROVER)
def ledger_allocate(request, pk: int):
    account = selectors.account_get(user=request.user, pk=pk)
    form = AllocateForm(request.POST)
    target = account.pk
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
    else:
        try:
            entry = services.budget_allocate(actor=request.user, union=account.union, year=form.cleaned_data["year"],
                                             amount=form.cleaned_data["amount"], memo=form.cleaned_data["memo"],
                                             request=request)  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, _error_text(exc))
        else:
            target = entry.account_id
            messages.success(request, _("预算已拨入。"))
    return redirect(f"{_ledger_url()}?account={target}")


def _ledger_url():
    return reverse("programs:ledger")


@role_required(*MONEY_READERS, Role.GRASSROOTS_STAFF)
def grant_list(request):
    status = request.GET.get("status", "")
    page = paginate(selectors.grant_list(user=request.user, status=status), request.GET.get("page"))
    return render(request, "programs/grant_list.html", {
        "page": page, "status": status, "is_approver": user_has_role(request.user, Role.FUND_APPROVER),
        "rows": selectors.grant_rows(user=request.user, grants=page.object_list),
        "decision_form": GrantDecisionForm()})  # fmt: skip


@role_required(*GRANT_APPLICANTS)
def grant_apply(request, household_id: int):
    household = case_selectors.household_get(user=request.user, pk=household_id)
    refusal = grant_apply_refusal(household, request.user)
    if refusal:  # the file shows no button then; a typed or stale link gets the same sentence
        messages.error(request, refusal)
        return redirect("cases:household_detail", pk=household.pk)
    form = GrantForm(request.POST or None, programs=selectors.grant_programs(household=household))
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_apply(actor=request.user, household=household, request=request, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("申请已提交，待资金审批人审批；批准后在下一批次发放。"))
            return redirect("cases:household_detail", pk=household.pk)
    return render(request, "programs/grant_form.html", {"household": household, "form": form})


@require_POST
@role_required(Role.FUND_APPROVER)
def grant_decide(request, pk: int):
    grant = selectors.grant_list(user=request.user).filter(pk=pk).first()
    if grant is None:
        raise Http404
    form = GrantDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审批结论。"))
        return redirect("programs:grant_list")
    try:
        services.grant_decide(actor=request.user, grant_id=grant.pk, approve=form.cleaned_data["approve"],
                              reason=form.cleaned_data["reason"], request=request)  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已审批。"))
    return redirect("programs:grant_list")
