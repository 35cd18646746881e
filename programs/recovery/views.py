"""Pages of 追回: the list, a receivable's page with its ledger, raising one from a file, each step behind a
confirmation (冲正 of an instalment from its row of the ledger); and the centre's list of filed households
never helped."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.archive.selectors import CENTRE_READERS
from cases.selectors import household_get
from hardship.access import role_required
from hardship.pagination import paginate
from hardship.workflow import ActionRefused

from ..assistance.balances import fund_balance
from ..assistance.selectors import MONEY_READERS
from . import selectors, services
from .forms import CollectForm, RaiseForm, ReverseForm, WriteOffDecisionForm, WriteOffForm
from .models import ReceivableStatus
from .workflow import RAISERS, raise_refusal, receivable_workflow, reversal_refusal


@role_required(*MONEY_READERS)
def receivable_list(request):
    status = request.GET.get("status", "")
    page = paginate(selectors.receivable_list(user=request.user, status=status), request.GET.get("page"))
    return render(request, "programs/receivable_list.html",
                  {"page": page, "status": status, "statuses": ReceivableStatus.choices})  # fmt: skip


@role_required(*RAISERS)
def receivable_raise(request, household_id: int):
    household = household_get(user=request.user, pk=household_id)
    refusal = raise_refusal(household, request.user)
    if refusal:
        messages.error(request, refusal)
        return redirect("cases:household_detail", pk=household_id)
    payments = selectors.recoverable_payments(household=household)
    form = RaiseForm(request.POST or None, payments=payments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            receivable = services.receivable_raise(
                actor=request.user, household_id=household.pk, payment_ids=[p.pk for p in data["payments"]],
                amount=data["amount"], reason=data["reason"], request=request,
            )  # fmt: skip
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已登记追回款 %(a)s 元。") % {"a": receivable.amount})
            return redirect("programs:receivable_detail", pk=receivable.pk)
    return render(request, "programs/receivable_raise.html",
                  {"household": household, "form": form, "has_payments": payments.exists()})  # fmt: skip


@role_required(*MONEY_READERS)
def receivable_detail(request, pk: int):
    receivable, actions = selectors.receivable_get(user=request.user, pk=pk)
    # 冲正 is offered on the ledger's rows (one per instalment), not among the receivable's buttons.
    actions = [a for a in actions if a.name != "reverse_instalment"]
    entries = selectors.receivable_entries(receivable=receivable, user=request.user)
    return render(request, "programs/receivable_detail.html", {
        "receivable": receivable, "actions": actions, "entries": entries,
        "payments": receivable.payments.select_related("entitlement__program", "batch"),
    })  # fmt: skip


FORMS = {"collect": CollectForm, "propose_write_off": WriteOffForm, "approve_write_off": WriteOffDecisionForm,
         "reject_write_off": WriteOffDecisionForm}  # fmt: skip


def _run(name: str, request, receivable, data):
    actor, pk = request.user, receivable.pk
    if name == "collect":
        return services.receivable_collect(actor=actor, receivable_id=pk, amount=data["amount"],
                                           received_on=data["received_on"], memo=data["memo"],
                                           request=request)  # fmt: skip
    if name == "propose_write_off":
        return services.receivable_propose_write_off(actor=actor, receivable_id=pk, reason=data["reason"],
                                                     request=request)  # fmt: skip
    return services.receivable_decide_write_off(actor=actor, receivable_id=pk, approve=name == "approve_write_off",
                                                note=data["note"], request=request)  # fmt: skip


@role_required(*MONEY_READERS)
def receivable_action(request, pk: int, name: str):
    """One step on a receivable, behind a page that repeats what it moves (the amount, the fund's balance)."""
    if name not in FORMS:
        raise Http404
    receivable, _actions = selectors.receivable_get(user=request.user, pk=pk)
    try:
        receivable_workflow.check(receivable, request.user, name)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("programs:receivable_detail", pk=pk)
    form = FORMS[name](request.POST or None)
    if name == "reject_write_off":
        form.fields["note"].required = True
        form.fields["note"].label = _("不予核销的理由")
        form.fields.pop("confirm")
    if request.method == "POST" and form.is_valid():
        try:
            _run(name, request, receivable, form.cleaned_data)
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已完成：%(a)s。") % {"a": receivable_workflow.transition(name).label})
            return redirect("programs:receivable_detail", pk=pk)
    year = timezone.localdate().year
    return render(request, "programs/receivable_action.html", {
        "receivable": receivable, "form": form, "name": name, "title": receivable_workflow.transition(name).label,
        "owed": services.outstanding(receivable), "balance": fund_balance(union=receivable.union, year=year),
        "year": year,
    })  # fmt: skip


@role_required(*MONEY_READERS)
def instalment_reverse(request, pk: int, entry_id: int):
    """冲正 one instalment, behind a page that shows what it gives back: what is owed, and the fund's balance."""
    receivable, _actions = selectors.receivable_get(user=request.user, pk=pk)
    entry = get_object_or_404(receivable.entries.select_related("ledger_entry__account"), pk=entry_id)
    try:
        receivable_workflow.check(receivable, request.user, "reverse_instalment")
        if refusal := reversal_refusal(entry):
            raise ActionRefused(refusal)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("programs:receivable_detail", pk=pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.instalment_reverse(actor=request.user, receivable_id=pk, entry_id=entry.pk,
                                        reason=form.cleaned_data["reason"], request=request)  # fmt: skip
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已冲正收回 %(a)s 元。") % {"a": -entry.amount})
            return redirect("programs:receivable_detail", pk=pk)
    owed, account = services.outstanding(receivable), entry.ledger_entry.account
    balance = fund_balance(union=account.union, year=account.year)
    return render(request, "programs/instalment_reverse.html", {
        "receivable": receivable, "entry": entry, "form": form, "amount": -entry.amount, "owed": owed,
        "owed_after": owed - entry.amount, "balance": balance, "balance_after": balance + entry.amount,
        "year": account.year,
    })  # fmt: skip


@role_required(*CENTRE_READERS)
def never_helped(request):
    page = paginate(selectors.never_helped(user=request.user), request.GET.get("page"))
    return render(request, "programs/never_helped.html", {"page": page})


recovery_urlpatterns = [
    path("recoveries/", receivable_list, name="receivable_list"),
    path("recoveries/new/<int:household_id>/", receivable_raise, name="receivable_raise"),
    path("recoveries/<int:pk>/", receivable_detail, name="receivable_detail"),
    path("recoveries/<int:pk>/entries/<int:entry_id>/reverse/", instalment_reverse, name="instalment_reverse"),
    path("recoveries/<int:pk>/<slug:name>/", receivable_action, name="receivable_action"),
    path("never-helped/", never_helped, name="never_helped"),
]
