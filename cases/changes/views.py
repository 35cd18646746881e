"""变更申请 pages: propose from the file (phone-first), the centre's queue, the detail with before/after
and the tier it would give, and each decision behind a confirmation. Thin: selector → form → service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from hardship.access import role_required, user_has_role
from hardship.workflow import ActionRefused

from .. import selectors as file_selectors
from ..models import Tier
from ..services import FILE_EDITORS, StaleEdit, household_contact_update
from . import selectors, services
from .forms import ContactForm, DecisionForm, change_form
from .models import ChangeKind, ChangeStatus
from .workflow import APPROVERS, PROPOSERS, change_workflow, not_the_requester, proposal_refusal


@role_required(*PROPOSERS)
def change_propose(request, pk: int):
    """Step 1 picks what changed (and, for a member's change, whom); step 2 is that kind's small form."""
    household = file_selectors.household_get(user=request.user, pk=pk)
    refusal = proposal_refusal(household, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:household_detail", pk=pk)
    kind = request.GET.get("kind", "")
    members = [m for m in household.members.all() if not m.removed]
    member = None
    if kind == ChangeKind.MEMBER_CHANGE:
        member = next((m for m in members if str(m.pk) == request.GET.get("member")), None)
    if kind not in ChangeKind.values or (kind == ChangeKind.MEMBER_CHANGE and member is None):
        return render(request, "cases/change_kinds.html", {"household": household, "members": members,
                                                           "kinds": ChangeKind.choices, "kind": kind})  # fmt: skip
    form = change_form(kind, household, member, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason, note = data.pop("reason"), data.pop("note", "")
        chosen = data.pop("member", None) or member
        try:
            change = services.change_propose(
                actor=request.user, household_id=pk, kind=kind, reason=reason, after=data,
                member_id=chosen.pk if chosen else None, note=note, request=request,
            )  # fmt: skip
        except ValidationError as exc:  # ActionRefused among them
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("变更申请已保存为草稿，请核对变更前后和困难类别的变化后提交审批。"))
            return redirect("cases:change_detail", change_id=change.pk)
    return render(request, "cases/change_form.html", {"household": household, "form": form, "kind": ChangeKind(kind),
                                                      "member": member})  # fmt: skip


@role_required(*PROPOSERS)
def change_queue(request):
    which = "mine" if request.GET.get("tab") == "mine" or not _approves(request.user) else "pending"
    changes = selectors.change_queue(user=request.user, which=which)[:200]
    return render(request, "cases/change_queue.html", {"changes": changes, "tab": which,
                                                       "approver": _approves(request.user)})  # fmt: skip


def _approves(user) -> bool:
    return user_has_role(user, *APPROVERS)


@role_required(*PROPOSERS)
def change_detail(request, change_id: int):
    change, actions = selectors.change_for_user(user=request.user, pk=change_id)
    # A duty hides the approval; an approver who asked for it themselves is told why (the rule's own words).
    own = change.status == ChangeStatus.SUBMITTED and _approves(request.user)
    return render(request, "cases/change_detail.html", {
        "own_request": not_the_requester(change, request.user) if own else None,
        "change": change, "household": change.household, "actions": actions, "rows": selectors.change_rows(change),
        "preview": selectors.change_tier_preview(change), "card_warning": services.bank_card_warning(change),
        "none_tier": Tier.NONE,
    })  # fmt: skip


@role_required(*PROPOSERS)
def change_action(request, change_id: int, name: str):
    """A decision on a request, always behind a confirmation page that repeats what it will do."""
    if name not in change_workflow.by_name:
        raise Http404
    change, _actions = selectors.change_for_user(user=request.user, pk=change_id)
    try:
        change_workflow.check(change, request.user, name)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:change_detail", change_id=change_id)
    form = DecisionForm(request.POST or None)
    if name in ("submit", "withdraw"):
        form.fields.pop("note")
        form.fields["confirm"].label = _("我已核对变更前后的内容")
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data.get("note", "")
        try:
            if name == "approve":
                done = services.change_approve(actor=request.user, change_id=change_id, note=note, request=request)
            elif name == "reject":
                done = services.change_reject(actor=request.user, change_id=change_id, note=note, request=request)
            elif name == "submit":
                done = services.change_submit(actor=request.user, change_id=change_id, request=request)
            else:
                done = services.change_withdraw(actor=request.user, change_id=change_id, request=request)
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            _say_done(request, name, done)
            return redirect("cases:change_detail", change_id=change_id)
    return render(request, "cases/change_action.html", {
        "change": change, "household": change.household, "name": name, "form": form,
        "title": change_workflow.transition(name).label, "rows": selectors.change_rows(change),
        "preview": selectors.change_tier_preview(change), "card_warning": services.bank_card_warning(change),
    })  # fmt: skip


def _say_done(request, name: str, change) -> None:
    if name == "approve":
        text = _("变更已批准并记入档案：困难类别 %(t)s，人均月收入 %(pc)s 元。") % {
            "t": Tier(change.tier_after).label, "pc": change.per_capita_after}  # fmt: skip
        if change.tier_after == Tier.NONE:
            messages.warning(request, text + _("该户已不再符合困难认定，已列入“待退出”队列，请办理退出或复核。"))
            return
        messages.success(request, text)
    elif name == "reject":
        messages.success(request, _("已不予批准，申请人会看到审批意见。"))
    elif name == "submit":
        messages.success(request, _("已提交帮扶中心审批。"))
    else:
        messages.success(request, _("申请已撤回。"))


@role_required(*FILE_EDITORS)
def contact_edit(request, pk: int):
    """Phone and address of a file in any live state: changed at once, recorded in the history."""
    household = file_selectors.household_get(user=request.user, pk=pk)
    form = ContactForm(request.POST or None, instance=household, initial={"version": household.version})
    if request.method == "POST" and form.is_valid():
        try:
            household_contact_update(
                actor=request.user, household_id=pk, expected_version=form.cleaned_data["version"],
                phone=form.cleaned_data["phone"], address=form.cleaned_data["address"], request=request,
            )  # fmt: skip
        except StaleEdit as exc:
            messages.error(request, str(exc))
            return redirect("cases:household_detail", pk=pk)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("联系电话和住址已修改，并记入档案的变更记录。"))
            return redirect("cases:household_detail", pk=pk)
    return render(request, "cases/contact_form.html", {"household": household, "form": form})


change_urlpatterns = [
    path("<int:pk>/changes/new/", change_propose, name="change_propose"),
    path("<int:pk>/contact/", contact_edit, name="contact_edit"),
    path("changes/", change_queue, name="change_queue"),
    path("changes/<int:change_id>/", change_detail, name="change_detail"),
    path("changes/<int:change_id>/<slug:name>/", change_action, name="change_action"),
]
