"""Excel pages of the household files: import (with its template) and the masked export of a list."""

from io import BytesIO

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from hardship.access import role_required, root_unions, scope_unions
from hardship.masking import mask_id_number, mask_phone
from hardship.services import audit_record, export_start

from . import excel, selectors
from .forms import household_list_params
from .forms_excel import HouseholdImportForm
from .register import selectors as register_selectors
from .register import services as register_services
from .register.models import ImportStage
from .selectors import FILE_READERS
from .services import FILE_EDITORS

# The page lists this many problems; the rest are counted, not shown (fix these and upload again).
ERRORS_SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*FILE_EDITORS)
def household_import(request):
    """The upload: a file that is no template workbook is refused here; a worker checks the rest."""
    unions = scope_unions(request.user, FILE_EDITORS).filter(is_active=True).order_by("path")
    form = HouseholdImportForm(request.POST or None, request.FILES or None, unions=unions)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            excel.check_file(form.cleaned_data["file"])
            register_import = register_services.register_upload(
                actor=request.user, union=form.cleaned_data["union"], kind=excel.DRAFTS,
                file=form.cleaned_data["file"], request=request,
            )  # fmt: skip
        except excel.ImportRejected as exc:
            result = excel.ImportResult(errors=[excel.RowError(None, "", str(exc))])
        except PermissionDenied as exc:
            form.add_error("union", str(exc) or _("该工会不在您的辖区内。"))
        else:
            return redirect("cases:household_import_stage", register_import.pk)
    return render(
        request,
        "cases/household_import.html",
        {
            "form": form,
            "result": result,
            "errors": result.errors[:ERRORS_SHOWN] if result else [],
            "errors_hidden": max(len(result.errors) - ERRORS_SHOWN, 0) if result else 0,
        },
    )


@never_cache
@role_required(*FILE_EDITORS)
def household_import_stage(request, pk: int):
    """The check's progress, then its summary: the errors by row and column, or the households to import."""
    register_import, actions = register_selectors.drafts_import_for_user(user=request.user, pk=pk)
    errors = excel.stage_errors(register_import) if register_import.status == ImportStage.CHECKED else []
    return render(request, "cases/household_import_stage.html", {
        "register_import": register_import, "actions": actions, "counts": register_import.counts or {},
        "errors": errors[:ERRORS_SHOWN], "errors_count": len(errors),
        "errors_hidden": max(len(errors) - ERRORS_SHOWN, 0),
        "running": register_import.running and not register_import.error,
    })  # fmt: skip


@require_POST
@role_required(*FILE_EDITORS)
def household_import_commit(request, pk: int):
    register_selectors.drafts_import_for_user(user=request.user, pk=pk)  # 404 outside the scope
    try:
        register_services.register_import_drafts(actor=request.user, import_id=pk, request=request)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("正在导入：全部成功或全部不导入。"))
    return redirect("cases:household_import_stage", pk)


@role_required(*FILE_EDITORS)
def household_template(request):
    return _xlsx_response(excel.households_template_xlsx(), "家庭档案导入模板.xlsx")


@never_cache
@role_required(*FILE_READERS)
def household_export(request):
    """The list as it is filtered on screen, masked; the export itself is an audit event."""
    params = household_list_params(request.GET)
    households = selectors.household_list(user=request.user, **params)
    count = households.count()
    tops = root_unions(request.user, FILE_READERS)
    audit_record(
        actor=request.user,
        verb="household.export",
        union=tops[0] if tops else None,
        changes={
            "rows": (None, count),
            "filters": (None, _describe(params)),
        },
        request=request,
    )
    filename = f"家庭档案-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    if count > settings.EXPORT_INLINE_MAX_ROWS and tops:
        # Built inside the request at ~0.4 s per 1,000 rows, a city's list would outlive the web worker:
        # a Celery worker writes it, and 「我的导出」 offers it for 24 hours.
        export_start(owner=request.user, kind="households", title=_("家庭档案 %(n)s 户") % {"n": f"{count:,}"},
                     params=params, union=tops[0], roles=FILE_READERS, rows_total=count, filename=filename,
                     content_type=XLSX)  # fmt: skip
        messages.success(request, _("共 %(n)s 户，正在后台生成导出文件，完成后在“我的导出”下载（保留 24 小时）。")
                         % {"n": f"{count:,}"})  # fmt: skip
        return redirect("hardship:export_list")
    return _xlsx_response(excel.households_export_xlsx(households=households), filename)


def _describe(params: dict) -> str:
    """The filters for the audit log, with a searched 身份证号 or phone masked like any personal data."""
    shown = dict(params)
    search = shown["search"].strip()
    if search.isdigit() or (len(search) == 18 and search[:17].isdigit()):
        shown["search"] = mask_id_number(search) if len(search) == 18 else mask_phone(search)
    return "; ".join(f"{key}={value}" for key, value in shown.items() if value not in ("", None))


def _xlsx_response(data: bytes, filename: str) -> FileResponse:
    return FileResponse(
        BytesIO(data),
        as_attachment=True,
        filename=filename,
        content_type=XLSX,
    )


excel_urlpatterns = [
    path("import/", household_import, name="household_import"),
    path("import/template.xlsx", household_template, name="household_template"),
    path("import/<int:pk>/", household_import_stage, name="household_import_stage"),
    path("import/<int:pk>/commit/", household_import_commit, name="household_import_commit"),
    path("export.xlsx", household_export, name="household_export"),
]
