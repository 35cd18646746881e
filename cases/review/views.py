"""Pages of the review chain: queues, one page per action, home visits, 公示, notifications.

What a page offers comes from the workflow (through ``selectors.review_panel`` and
``page_actions``); the service has the last word and refuses with ``ActionRefused``,
the one exception these views catch.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import FILE_READERS, role_required
from hardship.dates import unplanned_years
from hardship.pagination import paginate
from hardship.workflow import ActionRefused

from .. import selectors as file_selectors
from ..models import Step
from . import selectors
from . import services as review
from .forms import (
    AssignForm,
    CloseForm,
    DecisionForm,
    ExitForm,
    MonthlyIncomeForm,
    OptionalTextForm,
    TextForm,
    VisitForm,
)
from .workflow import VISIT_STEPS, review_workflow, visit_colleagues, visit_observers

# Each page of the panel: its form.
FORMS = {
    "submit": None,
    "first_review": DecisionForm,
    "assign": AssignForm,
    "second_review": DecisionForm,
    "objection": TextForm,
    "file": None,
    "yearly_continue": OptionalTextForm,
    "exit": ExitForm,
    "reopen": TextForm,
    "confirm": OptionalTextForm,
    "close": CloseForm,
}


@role_required(*FILE_READERS)
def review_queue(request):
    queues = selectors.queues_for(user=request.user)
    if not queues:
        raise PermissionDenied
    names = [name for name, _label in queues]
    current = request.GET.get("queue") if request.GET.get("queue") in names else names[0]
    page = paginate(selectors.review_queue(user=request.user, queue=current), request.GET.get("page"))
    today = timezone.localdate()
    rows, unplanned = selectors.due_dates(page.object_list, current)
    context = {
        "queues": queues, "current": current, "page": page, "rows": rows, "today": today,
        "deadline": selectors.QUEUES[current].deadline, "unplanned_years": unplanned,
    }  # fmt: skip
    return render(request, "cases/review_queue.html", context)


def _form_for(name, household, request, actions):
    form_class = FORMS[name]
    if form_class is None:
        return None
    data = request.POST if request.method == "POST" else None
    if form_class is AssignForm:
        initial = {"due": timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)}
        return AssignForm(data, organisations=selectors.organisations_for_assignment(household), initial=initial)
    if form_class is DecisionForm:
        return DecisionForm(data, actions=actions)
    return form_class(data)


def _run(name: str, request, household, form):
    actor, pk = request.user, household.pk
    cleaned = form.cleaned_data if form is not None else {}
    if name == "submit":
        return review.household_submit(actor=actor, household_id=pk, request=request)
    if name == "first_review":
        return review.first_review_decide(actor=actor, household_id=pk, decision=cleaned["decision"],
                                          text=cleaned["text"], request=request)  # fmt: skip
    if name == "assign":
        return review.second_review_assign(actor=actor, household_id=pk, organisation=cleaned["organisation"],
                                           due=cleaned["due"], request=request)  # fmt: skip
    if name == "second_review":
        return review.second_review_decide(actor=actor, household_id=pk, decision=cleaned["decision"],
                                           text=cleaned["text"], request=request)  # fmt: skip
    if name == "objection":
        return review.notice_objection(actor=actor, household_id=pk, text=cleaned["text"], request=request)
    if name == "file":
        return review.household_file(actor=actor, household_id=pk, request=request)
    if name == "yearly_continue":
        return review.yearly_review_continue(actor=actor, household_id=pk, text=cleaned["text"], request=request)
    if name == "exit":
        return review.household_exit(actor=actor, household_id=pk, kind=cleaned["kind"], reason=cleaned["reason"],
                                     request=request)  # fmt: skip
    if name == "reopen":
        return review.household_reopen(actor=actor, household_id=pk, text=cleaned["text"], request=request)
    if name == "confirm":
        return review.household_confirm(actor=actor, household_id=pk, text=cleaned["text"], request=request)
    if name == "close":
        return review.household_close(actor=actor, household_id=pk, reason=cleaned["reason"], note=cleaned["note"],
                                      request=request)  # fmt: skip
    raise Http404


@role_required(*FILE_READERS)
def review_action(request, pk: int, name: str):
    """One page per action: what it does, the form, a confirm button. The service has the last word."""
    if name not in selectors.PAGES:
        raise Http404
    household = file_selectors.household_get(user=request.user, pk=pk)
    actions = selectors.page_actions(user=request.user, household=household, page=name)
    form = _form_for(name, household, request, actions)
    refusal = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            _run(name, request, household, form)
        except ActionRefused as exc:
            # Said once, next to what it concerns: the reason, the decision chosen, or the confirm button.
            if form is None:
                refusal = str(exc)
            elif exc.code == "text_missing" and "text" in form.fields:
                form.add_error("text", str(exc))
            elif isinstance(form, DecisionForm) and form.offers(form.cleaned_data.get("decision")):
                form.refusals = [(label, reason) for label, reason in form.refusals if reason != str(exc)]
                form.add_error("decision", str(exc))
            else:
                form.add_error(None, str(exc))
        else:
            messages.success(request, _("已完成：%(a)s。") % {"a": _page_title(name)})
            if not file_selectors.household_readable(user=request.user, pk=pk):
                messages.info(request, _("本案已不再派给您所在的机构，您不能再查看该档案。"))
                return redirect("cases:review_queue")
            return redirect("cases:household_detail", pk=pk)
    context = {"household": household, "form": form, "name": name, "title": _page_title(name),
               "actions": actions, "refusal": refusal}  # fmt: skip
    if name == "exit":
        context["eligibility"] = selectors.exit_eligibility(household=household)
    return render(request, "cases/review_action.html", context)


def _page_title(name: str) -> str:
    members, label = selectors.PAGES[name]
    return str(label or review_workflow.transition(members[0]).label)


VISIT_ROLES = tuple(dict.fromkeys(r for v in VISIT_STEPS.values() for r in review_workflow.transition(v.action).roles))


@role_required(*VISIT_ROLES)
def visit_create(request, pk: int, step: str):
    """入户走访 form — made for a phone in the field. Who may go along comes from the workflow's visit steps."""
    if step not in VISIT_STEPS:
        raise Http404
    household = file_selectors.household_get(user=request.user, pk=pk)
    try:
        review_workflow.check(household, request.user, VISIT_STEPS[step].action)
    except ActionRefused as exc:
        messages.error(request, str(exc))
        return redirect("cases:household_detail", pk=pk)
    colleagues = visit_colleagues(household, step, request.user)
    form = VisitForm(
        request.POST or None, request.FILES or None, members=list(household.members.all()),
        colleagues=colleagues.filter(pk__in=list(colleagues.values_list("pk", flat=True)[:50])),
        observers=visit_observers(household),
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        visit = review.VisitInput(
            visited_on=form.cleaned_data["visited_on"],
            living_conditions=form.cleaned_data["living_conditions"],
            findings=form.cleaned_data["findings"],
            address_confirmed=form.cleaned_data["address_confirmed"],
            visitors=tuple(form.cleaned_data["visitors"]),
            observer=form.cleaned_data["observer"],
            verified_incomes=form.verified_incomes(),
            photos=tuple(form.cleaned_data["photos"]),
        )
        try:
            review.visit_record(actor=request.user, household_id=pk, step=step, visit=visit, request=request)
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("走访记录已保存。"))
            return redirect("cases:household_detail", pk=pk)
    return render(request, "cases/visit_form.html", {"household": household, "form": form, "step": Step(step)})


MONTHLY_INCOME_ROLES = review_workflow.transition("monthly_income").roles


@require_POST
@role_required(*MONTHLY_INCOME_ROLES)
def monthly_income_add(request, pk: int):
    household = file_selectors.household_get(user=request.user, pk=pk)
    form = MonthlyIncomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写月份（如 2026-10）和不小于 0 的人均月收入。"))
        return redirect("cases:household_detail", pk=pk)
    try:
        review.monthly_income_record(actor=request.user, household_id=household.pk, month=form.cleaned_data["month"],
                                     per_capita_income=form.cleaned_data["per_capita_income"],
                                     request=request)  # fmt: skip
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("月度收入已记录。"))
    return redirect("cases:household_detail", pk=pk)


@role_required(*FILE_READERS)
def notice_list(request):
    """公示: masked name, union, tier, main cause and the dates — nothing else."""
    page = paginate(selectors.notice_list(user=request.user), request.GET.get("page"), per_page=50)
    unplanned = unplanned_years(day for h in page.object_list for day in (h.notice_start, h.notice_end))
    context = {"page": page, "today": timezone.localdate(), "unplanned_years": unplanned}
    return render(request, "cases/notice_list.html", context)
