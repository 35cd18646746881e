"""Pages of the register import: the list and upload, a stage's progress and summary, approval, discard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, scope_unions
from hardship.pagination import paginate

from . import selectors, services
from .engine import KINDS
from .forms import RegisterUploadForm
from .models import ImportStage
from .selectors import REGISTER_USERS
from .workbook import HOUSEHOLD_EXAMPLE, register_template_xlsx
from .workflow import not_the_uploader


def _upload_form(request):
    unions = scope_unions(request.user, REGISTER_USERS).filter(is_active=True).order_by("path")
    return RegisterUploadForm(request.POST or None, request.FILES or None, unions=unions,
                              kinds=selectors.register_kinds())  # fmt: skip


@role_required(*REGISTER_USERS)
def register_list(request):
    form = _upload_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            register_import = services.register_upload(
                actor=request.user, union=form.cleaned_data["union"], kind=form.cleaned_data["kind"],
                file=form.cleaned_data["file"], request=request,
            )  # fmt: skip
        except PermissionDenied as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("文件已上传，正在检查。检查完成前不会建立任何档案。"))
            return redirect("cases:register_detail", register_import.pk)
    page = paginate(selectors.register_import_list(user=request.user), request.GET.get("page"), per_page=20)
    return render(request, "cases/register_list.html", {"form": form, "page": page, "kinds": KINDS.values()})


@role_required(*REGISTER_USERS)
def register_detail(request, pk: int):
    register_import, actions = selectors.register_import_for_user(user=request.user, pk=pk)
    errors = paginate(selectors.register_errors(register_import=register_import), request.GET.get("page"), 50)
    return render(request, "cases/register_detail.html", {
        "register_import": register_import,
        "kind": KINDS.get(register_import.kind),
        "actions": actions,
        "counts": register_import.counts or {},
        # The uploader is not offered the approval (a duty hides it): say who approves instead.
        "uploader_note": not_the_uploader(register_import, request.user)
        if register_import.status == ImportStage.CHECKED else None,
        "page": errors,
        "running": register_import.status == "checking" or (register_import.status == "approved"
                                                             and not register_import.error),
    })  # fmt: skip


@role_required(*REGISTER_USERS)
def register_progress(request, pk: int):
    register_import, _actions = selectors.register_import_for_user(user=request.user, pk=pk)
    return JsonResponse({"status": register_import.status, "status_label": register_import.get_status_display(),
                         "rows": register_import.rows_read, "error": bool(register_import.error)})  # fmt: skip


@role_required(*REGISTER_USERS)
def register_approve(request, pk: int):
    """The confirmation page (what will be filed), then the approval."""
    register_import, actions = selectors.register_import_for_user(user=request.user, pk=pk)
    action = actions.get("approve")
    if action is None or not action.allowed:
        messages.error(request, action.reason if action else _("您不能批准这个导入。"))
        return redirect("cases:register_detail", pk)
    if request.method == "POST":
        try:
            services.register_approve(actor=request.user, import_id=pk, request=request)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已批准，正在入库：全部成功或全部不入库。"))
        return redirect("cases:register_detail", pk)
    return render(request, "cases/register_approve.html",
                  {"register_import": register_import, "counts": register_import.counts or {}})  # fmt: skip


def _post_action(request, pk: int, service, success: str):
    selectors.register_import_for_user(user=request.user, pk=pk)  # 404 outside the scope
    try:
        service(actor=request.user, import_id=pk, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, success)
    return redirect("cases:register_detail", pk)


@require_POST
@role_required(*REGISTER_USERS)
def register_discard(request, pk: int):
    return _post_action(request, pk, services.register_discard, _("已作废：本次导入的数据不会入库。"))


@require_POST
@role_required(*REGISTER_USERS)
def register_commit_again(request, pk: int):
    return _post_action(request, pk, services.register_commit_again, _("已重新开始入库。"))


@require_POST
@role_required(*REGISTER_USERS)
def register_recheck(request, pk: int):
    return _post_action(request, pk, services.register_recheck, _("已重新开始检查。"))


@role_required(*REGISTER_USERS)
def register_template(request, kind: str):
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    examples = HOUSEHOLD_EXAMPLE if kind == "households" else spec.examples
    return FileResponse(
        iter([register_template_xlsx(spec, examples)]), as_attachment=True, filename=f"{spec.label}导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )  # fmt: skip


register_urlpatterns = [
    path("register/", register_list, name="register_list"),
    path("register/template/<slug:kind>.xlsx", register_template, name="register_template"),
    path("register/<int:pk>/", register_detail, name="register_detail"),
    path("register/<int:pk>/progress/", register_progress, name="register_progress"),
    path("register/<int:pk>/approve/", register_approve, name="register_approve"),
    path("register/<int:pk>/discard/", register_discard, name="register_discard"),
    path("register/<int:pk>/commit/", register_commit_again, name="register_commit_again"),
    path("register/<int:pk>/recheck/", register_recheck, name="register_recheck"),
]
