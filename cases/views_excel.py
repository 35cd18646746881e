"""Excel pages of the household files: import (with its template) and the masked export of a list."""

from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from hardship.access import role_required, root_unions, scope_unions
from hardship.masking import mask_id_number, mask_phone
from hardship.services import audit_record

from . import excel, selectors
from .forms import household_list_params
from .forms_excel import HouseholdImportForm
from .selectors import FILE_READERS
from .services import FILE_EDITORS

# The page lists this many problems; the rest are counted, not shown (fix these and upload again).
ERRORS_SHOWN = 500
# An export is built inside the request (~0.4 s per 1,000 rows): past this it would outlive the
# worker's timeout, so the user is asked to narrow the list first.
EXPORT_MAX_ROWS = 50_000


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
    if count > EXPORT_MAX_ROWS:
        messages.warning(
            request,
            _("当前列表共 %(n)s 户，超过单次导出上限 %(max)s 户。请先按工会、困难类别或状态筛选后再导出。")
            % {"n": f"{count:,}", "max": f"{EXPORT_MAX_ROWS:,}"},
        )
        return redirect(f"{reverse('cases:household_list')}?{request.GET.urlencode()}")
    data = excel.households_export_xlsx(households=households)
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
    return _xlsx_response(data, f"家庭档案-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


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
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


excel_urlpatterns = [
    path("import/", household_import, name="household_import"),
    path("import/template.xlsx", household_template, name="household_template"),
    path("export.xlsx", household_export, name="household_export"),
]
