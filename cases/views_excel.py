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

from hardship.access import role_required, root_unions, scope_unions
from hardship.masking import mask_id_number, mask_phone
from hardship.services import audit_record, export_start

from . import excel, selectors
from .forms import household_list_params
from .forms_excel import HouseholdImportForm
from .selectors import FILE_READERS
from .services import FILE_EDITORS

# The page lists this many problems; the rest are counted, not shown (fix these and upload again).
ERRORS_SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*FILE_EDITORS)
def household_import(request):
    unions = scope_unions(request.user, FILE_EDITORS).filter(is_active=True).order_by("path")
    form = HouseholdImportForm(request.POST or None, request.FILES or None, unions=unions)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = excel.households_import(
                actor=request.user, union=form.cleaned_data["union"], file=form.cleaned_data["file"], request=request
            )
        except PermissionDenied as exc:
            form.add_error("union", str(exc) or _("该工会不在您的辖区内。"))
        else:
            if result.ok:
                messages.success(
                    request,
                    _("导入成功：共 %(households)d 户、%(members)d 名家庭成员，已建立草稿档案（%(union)s）。")
                    % {"households": result.households, "members": result.members, "union": form.cleaned_data["union"]},
                )
                for warning in result.warnings[:20]:
                    messages.warning(request, _("第 %(row)d 行 %(column)s：%(message)s") % warning.__dict__)
                return redirect("cases:household_import")
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
    path("export.xlsx", household_export, name="household_export"),
]
