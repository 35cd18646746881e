"""网上申请: the household form in plain words, proofs by camera, the signed authorisation; and after a return
for correction, the same form filled in, to fix and resubmit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cases.models import NOT_LIVE_STATUSES
from hardship.money import money
from hardship.workflow import ActionRefused

from .. import selectors
from ..auth import worker_required
from ..forms import MONTHLY_SOURCES, ApplicationForm, UploadForm, member_forms, more_rows_used
from ..services.applications import application_resubmit, application_submit


def _valid(form, rows, upload) -> bool:
    ok = form.is_valid() & upload.is_valid()
    for row in rows:
        ok &= row.is_valid()
    return ok


def _members(rows):
    return [row.member_input() for row in rows if row.head or not row.is_empty()]


def _refused(form, error) -> None:
    for message in getattr(error, "messages", [str(error)]):
        form.add_error(None, message)


@worker_required
def apply(request):
    worker = request.worker
    current = selectors.worker_household(worker)
    if current is not None and current.status not in NOT_LIVE_STATUSES:
        return redirect("family:home")
    head = {"name": worker.name, "relation": "self"}
    form = ApplicationForm(request.POST or None)
    rows = member_forms(request.POST or None, [head])
    upload = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _valid(form, rows, upload):
        try:
            application_submit(
                worker=worker, union=form.cleaned_data["union"], data=form.household_data(), members=_members(rows),
                proofs=upload.cleaned_data["proofs"], authorisation=upload.cleaned_data["authorisation"],
                request=request,
            )  # fmt: skip
        except (ActionRefused, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("申请已提交，工会工作人员会尽快联系您。"))
            return redirect("family:home")
    return render(request, "family/apply.html", {"worker": worker, "form": form, "rows": rows, "upload": upload,
                                                  "correcting": False, "more_open": more_rows_used(rows)})  # fmt: skip


def _row_initial(member) -> dict:
    row = {f: getattr(member, f) for f in ("id", "name", "relation", "id_number", "work_status", "school_level",
                                           "health", "disability")}  # fmt: skip
    row.update({name: money(getattr(member, name) / 12) for name, _l in MONTHLY_SOURCES})
    return row


CORRECTABLE = ("employer", "address", "housing", "main_cause", "sudden_event_cost", "sudden_event_note",
               "bank_name", "bank_card", "expense_medical", "expense_disability", "expense_schooling",
               "expense_housing")  # fmt: skip


@worker_required
def correct(request):
    worker = request.worker
    household = selectors.worker_household_or_404(worker)
    if "worker_submit" not in selectors.worker_actions(household, worker):
        raise Http404
    members = [m for m in household.members.all() if not m.removed]
    members.sort(key=lambda m: (m.relation != "self", m.position, m.id))
    initial = {f: getattr(household, f) for f in CORRECTABLE}
    form = ApplicationForm(request.POST or None, initial=initial, with_union=False)
    rows = member_forms(request.POST or None, [_row_initial(m) for m in members])
    upload = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and _valid(form, rows, upload):
        try:
            application_resubmit(
                worker=worker, expected_version=int(request.POST.get("version", 0)), data=form.household_data(),
                members=_members(rows), proofs=upload.cleaned_data["proofs"],
                authorisation=upload.cleaned_data["authorisation"], request=request,
            )  # fmt: skip
        except (ActionRefused, ValidationError) as error:
            _refused(form, error)
        else:
            messages.success(request, _("已重新提交，工会工作人员会再次审核。"))
            return redirect("family:home")
    return render(request, "family/apply.html", {
        "worker": worker, "form": form, "rows": rows, "upload": upload, "correcting": True, "household": household,
        "reasons": selectors.return_reasons(household), "more_open": more_rows_used(rows),
    })  # fmt: skip
