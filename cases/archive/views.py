"""Pages of the archive: 脱困库 / 注销库 search, the 临时档案 queue, stale files, destruction lists."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.access import role_required, user_has_role
from hardship.pagination import paginate
from hardship.services import audit_record
from hardship.workflow import ActionRefused

from ..review.workflow import review_workflow
from . import selectors, services
from .forms import DestructionDecisionForm
from .workflow import destruction_workflow


@role_required(*selectors.ARCHIVE_READERS)
def archive_search(request):
    found = selectors.archive_search(user=request.user, params=request.GET)
    rows = found.qs if found.is_valid() else found.queryset.none()
    filtered = any(request.GET.get(k) for k in found.filters)
    if found.is_valid() and found.form.cleaned_data.get("id_number"):
        # Looking a person up in the closed files by 身份证号 is on the record (the number is masked there).
        audit_record(actor=request.user, verb="archive.search", request=request,
                     changes={"id_number": (None, found.form.cleaned_data["id_number"])})  # fmt: skip
    page = paginate(rows, request.GET.get("page"))
    context = {"filter": found, "page": page, "filtered": filtered,
               "show_centre": user_has_role(request.user, *selectors.CENTRE_READERS)}  # fmt: skip
    return render(request, "cases/archive_search.html", context)


@role_required(*selectors.CENTRE_READERS)
def temporary_queue(request):
    page = paginate(selectors.temporary_queue(user=request.user), request.GET.get("page"))
    context = {"page": page, "today": timezone.localdate(), "months": settings.TEMPORARY_FILE_MONTHS,
               "warning": settings.TEMPORARY_FILE_WARNING_DAYS,
               # the roles of 转正/注销 (the file's pages then say whether this file allows them now)
               "can_act": user_has_role(request.user, *review_workflow.transition("confirm").roles)}  # fmt: skip
    return render(request, "cases/archive_temporary.html", context)


@role_required(*selectors.CENTRE_READERS)
def stale_files(request):
    page = paginate(selectors.stale_unchanged(user=request.user), request.GET.get("page"))
    return render(request, "cases/archive_stale.html", {"page": page})


@role_required(*selectors.CENTRE_READERS)
def destruction_index(request):
    page = paginate(selectors.destruction_lists(user=request.user), request.GET.get("page"))
    return render(request, "cases/destruction_list.html", {"page": page})


@role_required(*selectors.CENTRE_READERS)
def destruction_detail(request, pk: int):
    destruction, actions = selectors.destruction_get(user=request.user, pk=pk)
    entries = paginate(destruction.entries.select_related("household__union"), request.GET.get("page"), per_page=50)
    return render(request, "cases/destruction_detail.html",
                  {"destruction": destruction, "actions": actions, "page": entries})  # fmt: skip


CALLS = {
    "submit": lambda r, pk, note: services.destruction_list_submit(actor=r.user, list_id=pk, request=r),
    "approve": lambda r, pk, note: services.destruction_list_approve(actor=r.user, list_id=pk, note=note, request=r),
    "reject": lambda r, pk, note: services.destruction_list_reject(actor=r.user, list_id=pk, note=note, request=r),
}


@role_required(*selectors.CENTRE_READERS)
def destruction_action(request, pk: int, name: str):
    """Submit, approve or reject a list, always behind a confirmation page that repeats what it does."""
    if name not in destruction_workflow.by_name:
        raise Http404
    destruction, _actions = selectors.destruction_get(user=request.user, pk=pk)
    try:
        destruction_workflow.check(destruction, request.user, name)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:destruction_detail", pk=pk)
    form = DestructionDecisionForm(request.POST or None, name=name)
    if request.method == "POST" and form.is_valid():
        try:
            CALLS[name](request, pk, form.cleaned_data.get("note", ""))
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已完成：%(a)s。") % {"a": destruction_workflow.transition(name).label})
            return redirect("cases:destruction_detail", pk=pk)
    return render(request, "cases/destruction_action.html", {
        "destruction": destruction, "form": form, "name": name, "title": destruction_workflow.transition(name).label,
        "count": destruction.entries.count(),
    })  # fmt: skip


archive_urlpatterns = [
    path("archive/", archive_search, name="archive_search"),
    path("archive/temporary/", temporary_queue, name="archive_temporary"),
    path("archive/stale/", stale_files, name="archive_stale"),
    path("archive/destruction/", destruction_index, name="destruction_list"),
    path("archive/destruction/<int:pk>/", destruction_detail, name="destruction_detail"),
    path("archive/destruction/<int:pk>/<slug:name>/", destruction_action, name="destruction_action"),
]
