"""Household file pages: thin views — selector → form → service → message → redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required, scope_unions, user_has_role
from hardship.file_actions import file_actions
from hardship.pagination import paginate

from . import selectors, services
from .changes.selectors import open_changes
from .changes.workflow import proposal_refusal
from .crosscheck.services import CONSENT_RECORDERS
from .forms import AttachmentForm, HouseholdForm, MemberFormSet, StandardForm, household_list_params
from .history import file_history
from .models import Attachment, Cause, Status, Tier
from .review.selectors import follow_ups_due, level_opinions, recent_monthly_incomes, review_dates, review_panel
from .selectors import FILE_READERS, STANDARD_EDITORS
from .services import FILE_EDITORS, UNMASKERS, MemberInput, StaleEdit
from .support.forms import HelpForm
from .support.selectors import help_timeline, mutual_cover_summary
from .support.services import can_record_cover, can_record_help
from .tickets.workflow import RECORDERS as TICKET_RECORDERS

# What a row of the list shows: the wide columns (address, bank, income detail, JSON causes) stay in the table.
LIST_COLUMNS = ("head_name", "head_id_number", "union", "union__name", "tier", "status", "member_count",
                "per_capita_income", "file_number")  # fmt: skip


@role_required(*FILE_READERS)
def household_list(request):
    params = household_list_params(request.GET)
    households = selectors.household_list(user=request.user, **params).only(*LIST_COLUMNS)
    page = paginate(households, request.GET.get("page"))
    return render(
        request,
        "cases/household_list.html",
        {
            "page": page,
            "params": params,
            "unions": [(u.pk, u.name) for u in selectors.household_list_unions(user=request.user)],
            "tiers": Tier.choices,
            "statuses": Status.choices,
            "causes": Cause.choices,
            "can_edit": user_has_role(request.user, *FILE_EDITORS),
            "filtered": any(v for k, v in params.items() if k != "sort"),
        },
    )


@role_required(*FILE_READERS)
def household_detail(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    return render(request, "cases/household_detail.html", _detail_context(request, household, unmasked=False))


def _detail_context(request, household, *, unmasked: bool) -> dict:
    members = list(household.members.all())
    can_edit = user_has_role(request.user, *FILE_EDITORS) and household.status in services.EDITABLE_STATUSES
    can_record_help_ = can_record_help(request.user, household)
    return {
        "review_panel": review_panel(user=request.user, household=household),
        "review_dates": review_dates(household=household),
        "visits": list(household.visits.all()),
        "opinions": list(household.opinions.all()),
        "follow_ups": follow_ups_due(household) if household.status == Status.EXITED else [],
        "monthly_incomes": recent_monthly_incomes(household=household)
        if household.status in (Status.FILED, Status.EXITED)
        else [],
        # 申诉/投诉 a worker brings to the office, recorded on their file (cases.tickets).
        "can_record_ticket": user_has_role(request.user, *TICKET_RECORDERS),
        # Buttons whose rule another app declares (programs: 申请一次性救助, 登记追回).
        **file_actions(user=request.user, household=household),
        # Changes to a filed file: a change request (approved by the centre); phone and address directly.
        "can_propose_change": proposal_refusal(household, request.user) is None,
        "open_changes": open_changes(household=household) if household.status == Status.FILED else [],
        "can_edit_contact": household.status not in services.EDITABLE_STATUSES
        and household.status != Status.REJECTED
        and user_has_role(request.user, *FILE_EDITORS),
        "household": household,
        "help_timeline": help_timeline(household=household),
        # A form is built only for a user who may send it (the template renders it on the same condition).
        "help_form": HelpForm() if can_record_help_ else None,
        "can_record_help": can_record_help_,
        "mutual_cover": mutual_cover_summary(household=household),
        "can_record_cover": can_record_cover(request.user, household),
        "members": members,
        "attachments": list(household.attachments.all()),
        "history": file_history(household=household, limit=50),
        "attachment_form": AttachmentForm() if can_edit else None,
        "unmasked": unmasked,
        "can_edit": can_edit,
        "can_unmask": user_has_role(request.user, *UNMASKERS),
        "can_record_consent": user_has_role(request.user, *CONSENT_RECORDERS),
        "secondary_causes": [Cause(c).label for c in household.secondary_causes if c in Cause.values],
    }


@require_POST
@role_required(*UNMASKERS)
def household_unmask(request, pk: int):
    """Show the file with personal data in clear, once; the view is an audit event."""
    household = selectors.household_get(user=request.user, pk=pk)
    services.household_unmask(actor=request.user, household=household, request=request)
    return render(request, "cases/household_detail.html", _detail_context(request, household, unmasked=True))


@role_required(*FILE_READERS)
def household_print(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    context = _detail_context(request, household, unmasked=False)
    context["level_opinions"] = level_opinions(context["opinions"])
    return render(request, "cases/household_print.html", context)


def _member_inputs(formset) -> list[MemberInput]:
    return [
        MemberInput(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"}) for form in formset.filled_forms()
    ]


@role_required(*FILE_EDITORS)
def household_create(request):
    unions = list(scope_unions(request.user, FILE_EDITORS).order_by("path"))
    form = HouseholdForm(request.POST or None, unions=scope_unions(request.user, FILE_EDITORS).order_by("path"))
    formset = MemberFormSet(
        request.POST or None, prefix="members", initial=None if request.POST else [{"relation": "self"}]
    )
    if request.method == "GET":
        formset = MemberFormSet(prefix="members", initial=[{"relation": "self"}, {}, {}])
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "version")}
        try:
            household = services.household_create(
                actor=request.user,
                union=form.cleaned_data["union"],
                data=data,
                members=_member_inputs(formset),
                request=request,
            )
        except ValidationError as exc:
            _show_refusal(form, formset, exc)
        else:
            messages.success(
                request,
                _("已建立 %(name)s 户的家庭档案：人均月收入 %(pc)s 元，%(tier)s。")
                % {
                    "name": household.head_name,
                    "pc": household.per_capita_income,
                    "tier": household.get_tier_display(),
                },
            )
            _warn_luhn(request, household)
            return redirect("cases:household_detail", pk=household.pk)
    return render(
        request,
        "cases/household_form.html",
        {"form": form, "formset": formset, "creating": True, "union_count": len(unions)},
    )


def _show_refusal(form, formset, exc: ValidationError) -> None:
    """Say a refusal once, next to what it concerns: a person on another file at that member's 身份证号."""
    number = getattr(exc, "id_number", None)
    for member_form in formset.forms if number else ():
        if getattr(member_form, "cleaned_data", {}).get("id_number") == number:
            member_form.add_error("id_number", exc)
            return
    form.add_error(None, exc)


def _warn_luhn(request, household) -> None:
    if household.bank_card and not household.bank_card_luhn_ok:
        messages.warning(request, _("银行卡号未通过校验（Luhn），请与户主核对卡号；如确认无误可保留。"))


@role_required(*FILE_EDITORS)
def household_edit(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    if household.status not in services.EDITABLE_STATUSES:
        messages.error(request, _("档案当前状态为“%(s)s”，不能直接修改。") % {"s": household.get_status_display()})
        return redirect("cases:household_detail", pk=pk)
    members = list(household.members.all())
    initial_members = [
        {f: getattr(m, f) for f in services.MEMBER_FIELDS} | {"id": m.pk}
        for m in members
    ]  # fmt: skip
    if request.method == "POST":
        form = HouseholdForm(request.POST, instance=household, editing=True)
        formset = MemberFormSet(request.POST, prefix="members", initial=initial_members)
        if form.is_valid() and formset.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                updated = services.household_update(
                    actor=request.user,
                    household_id=pk,
                    expected_version=form.cleaned_data.get("version") or 0,
                    data=data,
                    members=_member_inputs(formset),
                    request=request,
                )
            except StaleEdit as exc:
                # Keep what they typed, on the current version, beside what changed meanwhile: merge, save again.
                household = selectors.household_get(user=request.user, pk=pk)
                data = request.POST.copy()
                data["version"] = household.version
                form = HouseholdForm(data, instance=household, editing=True)
                formset = MemberFormSet(data, prefix="members", initial=initial_members)
                stale = {"summary": exc.summary, "changes": selectors.household_changes_since(
                    household=household, version=exc.expected_version)}  # fmt: skip
                return render(request, "cases/household_form.html",
                              {"form": form, "formset": formset, "household": household, "stale": stale})  # fmt: skip
            except ValidationError as exc:
                _show_refusal(form, formset, exc)
            else:
                messages.success(request, _("档案已保存。"))
                _warn_luhn(request, updated)
                return redirect("cases:household_detail", pk=pk)
    else:
        form = HouseholdForm(instance=household, editing=True, initial={"version": household.version})
        formset = MemberFormSet(prefix="members", initial=initial_members + [{}])
    return render(request, "cases/household_form.html", {"form": form, "formset": formset, "household": household})


@require_POST
@role_required(*FILE_EDITORS)
def attachment_upload(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("cases:household_detail", pk=pk)
    try:
        services.attachment_add(
            actor=request.user,
            household=household,
            kind=form.cleaned_data["kind"],
            upload=form.cleaned_data["file"],
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("材料已上传。"))
    return redirect("cases:household_detail", pk=pk)


@role_required(*FILE_READERS)
def attachment_download(request, pk: int, attachment_id: int):
    household = selectors.household_get(user=request.user, pk=pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, household=household)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type=attachment.content_type, filename=attachment.original_name)


@role_required(*STANDARD_EDITORS)
def standard_list(request):
    standards = selectors.standard_list(user=request.user)
    return render(request, "cases/standard_list.html", {"standards": standards})


@role_required(*STANDARD_EDITORS)
def standard_create(request):
    """A new standard is first previewed (which files would change tier), then confirmed."""
    unions = scope_unions(request.user, STANDARD_EDITORS).order_by("path")
    form = StandardForm(request.POST or None, unions=unions)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "union"}
        union = form.cleaned_data["union"]
        if "confirm" in request.POST:
            try:
                standard = services.standard_create(actor=request.user, union=union, data=data, request=request)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if getattr(standard, "queued", True):
                    messages.success(
                        request,
                        _("新标准已保存，自 %(d)s 起生效。生效后各户的困难类别由后台任务自动重新认定。")
                        % {"d": standard.effective_from},
                    )
                else:
                    messages.warning(
                        request,
                        _("新标准已保存并已生效，但后台任务服务（Redis）暂时连不上，各户的困难类别尚未重新认定。"
                          "请在服务恢复后联系系统管理员。"),
                    )  # fmt: skip
                return redirect("cases:standard_list")
        else:
            preview = selectors.standard_preview(user=request.user, union=union, data=data)
    return render(request, "cases/standard_form.html", {"form": form, "preview": preview})
