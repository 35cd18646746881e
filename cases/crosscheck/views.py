"""信息比对 pages: consents on the file, requests and their files, result uploads, the adjudication queue.

Thin: selector (scoped; 404 outside) → form → service → message → redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, user_has_role

from .. import selectors as file_selectors
from ..models import Tier
from . import selectors, services
from .forms import ConsentForm, DecisionForm, RequestForm, ResultForm, income_choices
from .models import RESULT_LABELS, FlagOutcome, FlagStatus, Registry
from .workflow import DECIDERS, READERS

CONSENT_RECORDERS = services.CONSENT_RECORDERS
OUTCOME_OF_ACTION = {"confirm_change": FlagOutcome.CHANGE, "confirm_exit": FlagOutcome.EXIT,
                     "confirm_return": FlagOutcome.RETURN}  # fmt: skip


@role_required(*CONSENT_RECORDERS)
def consent_page(request, pk: int):
    """The file's authorisations: who signed for which registries, who still must sign, and the upload."""
    household = file_selectors.household_get(user=request.user, pk=pk)
    members = [m for m in household.members.all() if not m.removed]
    registries = list(selectors.registries_active())
    form = ConsentForm(request.POST or None, request.FILES or None, members=members, registries=registries)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user, household=household, member_ids=[int(v) for v in data["members"]],
                upload=data["file"], signed_on=data["signed_on"], valid_until=data["valid_until"],
                registry_ids=[int(v) for v in data["registries"]], request=request,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("核对授权书已登记。"))
            return redirect("cases:xcheck_consent", pk=pk)
    rows = selectors.household_consents(household=household)
    return render(request, "cases/xcheck_consent.html", {
        "household": household, "rows": rows, "form": form, "unsigned": [r for r in rows if r["missing"]],
    })  # fmt: skip


@role_required(*READERS)
def home(request):
    """Requests of the user's unions; centre staff start a new one here."""
    decider = user_has_role(request.user, *DECIDERS)
    form = None
    if decider:
        form = RequestForm(request.POST or None, unions=selectors.request_unions(user=request.user),
                           registries=selectors.registries_active())  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                check = services.request_create(
                    actor=request.user, union_id=int(data["union"]), scope=data["scope"],
                    registry_ids=[int(v) for v in data["registries"]], request=request,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                messages.success(request, _("核对申请已建立：%(n)s 人，%(x)s 人因未授权未纳入。") % {
                    "n": check.people, "x": check.excluded_count})  # fmt: skip
                return redirect("cases:xcheck_request_detail", request_id=check.pk)
    elif request.method == "POST":
        raise Http404
    checks = selectors.request_queryset(user=request.user)[:100]
    return render(request, "cases/xcheck_home.html", {"form": form, "checks": checks})


@role_required(*READERS)
def request_detail(request, request_id: int):
    check = selectors.request_get(user=request.user, pk=request_id)
    registries = list(check.registries.order_by("id"))
    decider = user_has_role(request.user, *DECIDERS)
    return render(request, "cases/xcheck_request.html", {
        "check": check, "registries": registries, "uploads": selectors.request_uploads(check=check),
        "form": ResultForm(registries=registries) if decider else None, "decider": decider,
    })  # fmt: skip


@role_required(*DECIDERS)
def request_file(request, request_id: int, registry_id: int):
    """The request file in the registry centre's layout (cells escaped), downloaded through an audited view."""
    check = selectors.request_get(user=request.user, pk=request_id)
    registry = check.registries.filter(pk=registry_id).first()
    if registry is None:
        raise Http404
    body = services.request_file(actor=request.user, check=check, registry=registry, request=request)
    response = HttpResponse(body, content_type=services.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="xcheck-{check.pk}-{registry.code}.csv"'
    return response


@require_POST
@role_required(*DECIDERS)
def results_upload(request, request_id: int):
    check = selectors.request_get(user=request.user, pk=request_id)
    registries = list(check.registries.order_by("id"))
    form = ResultForm(request.POST, request.FILES, registries=registries)
    if not form.is_valid():
        messages.error(request, _("请选择比对部门、结果日期和结果文件。"))
        return redirect("cases:xcheck_request_detail", request_id=check.pk)
    data = form.cleaned_data
    registry = Registry.objects.get(pk=int(data["registry"]))
    try:
        upload = services.results_upload(actor=request.user, check=check, registry=registry,
                                         data=data["file"].read(), name=data["file"].name,
                                         result_date=data["result_date"], request=request)  # fmt: skip
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("比对结果已导入：%(r)s 行，匹配 %(m)s 人，发现疑点 %(f)s 个。") % {
            "r": upload.rows, "m": upload.matched, "f": upload.flags})  # fmt: skip
    return redirect("cases:xcheck_request_detail", request_id=check.pk)


@role_required(*READERS)
def flag_queue(request):
    status = request.GET.get("status", FlagStatus.OPEN)
    union_id = request.GET.get("union")
    flags = selectors.flag_queue(user=request.user, status=status,
                                 union_id=int(union_id) if union_id and union_id.isdigit() else None)[:200]  # fmt: skip
    return render(request, "cases/xcheck_queue.html", {
        "flags": flags, "status": status if status in FlagStatus.values else FlagStatus.OPEN,
        "statuses": FlagStatus.choices, "unions": selectors.request_unions(user=request.user),
    })  # fmt: skip


@role_required(*READERS)
def flag_detail(request, flag_id: int):
    flag, actions = selectors.flag_for_user(user=request.user, pk=flag_id)
    return render(request, "cases/xcheck_flag.html", {
        "flag": flag, "household": flag.household, "actions": actions, "form": DecisionForm(),
        "incomes": income_choices(), "tier_labels": dict(Tier.choices),
        "finding_rows": [(RESULT_LABELS.get(k, k), v) for k, v in flag.finding.data.items()],
    })  # fmt: skip


@require_POST
@role_required(*DECIDERS)
def flag_action(request, flag_id: int, name: str):
    flag, _actions = selectors.flag_for_user(user=request.user, pk=flag_id)
    form = DecisionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        if name == "dismiss":
            services.flag_dismiss(actor=request.user, flag_id=flag.pk, reason=data.get("reason", ""), request=request)
            messages.success(request, _("疑点已排除，理由已记入档案历史。"))
        elif name in OUTCOME_OF_ACTION:
            flag = services.flag_confirm(
                actor=request.user, flag_id=flag.pk, outcome=OUTCOME_OF_ACTION[name], reason=data.get("reason", ""),
                income_source=data.get("income_source") or "", monthly=data.get("monthly"), request=request,
            )  # fmt: skip
            if flag.change_request_id:
                messages.success(request, _("疑点已确认，已提出变更申请，请帮扶中心其他工作人员审批。"))
                return redirect("cases:change_detail", change_id=flag.change_request_id)
            messages.success(request, _("疑点已确认。"))
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("cases:xcheck_flag_detail", flag_id=flag.pk)


crosscheck_urlpatterns = [
    path("<int:pk>/consents/", consent_page, name="xcheck_consent"),
    path("crosscheck/", home, name="xcheck_home"),
    path("crosscheck/requests/<int:request_id>/", request_detail, name="xcheck_request_detail"),
    path("crosscheck/requests/<int:request_id>/file/<int:registry_id>/", request_file, name="xcheck_request_file"),
    path("crosscheck/requests/<int:request_id>/results/", results_upload, name="xcheck_results_upload"),
    path("crosscheck/flags/", flag_queue, name="xcheck_flag_queue"),
    path("crosscheck/flags/<int:flag_id>/", flag_detail, name="xcheck_flag_detail"),
    path("crosscheck/flags/<int:flag_id>/<slug:name>/", flag_action, name="xcheck_flag_action"),
]
