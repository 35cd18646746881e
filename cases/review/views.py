"""Pages of the review chain: queues, one page per action, home visits, 公示, notifications."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hardship.access import FILE_READERS, role_required, scope_unions
from hardship.models import Role, SocialOrganisation, User
from hardship.pagination import paginate

from .. import selectors
from ..models import Step
from . import services as review
from .forms import (
    AssignForm,
    DecisionForm,
    ExitForm,
    MonthlyIncomeForm,
    OptionalTextForm,
    TextForm,
    VisitForm,
)

# What the detail page offers → the service actions behind it, the form, the page title.
UI_ACTIONS = {
    "submit": (("submit",), None, gettext_lazy("提交申请")),
    "first_review": (("first_approve", "first_return", "first_reject"), DecisionForm, gettext_lazy("初审")),
    "assign": (("assign",), AssignForm, gettext_lazy("派单复审")),
    "second_review": (("second_approve", "second_return", "second_reject"), DecisionForm, gettext_lazy("复审")),
    "objection": (("objection",), TextForm, gettext_lazy("登记公示异议")),
    "file": (("file",), None, gettext_lazy("建档")),
    "yearly_continue": (("yearly_continue",), OptionalTextForm, gettext_lazy("年度复核：继续帮扶")),
    "exit": (("exit",), ExitForm, gettext_lazy("退出帮扶")),
    "reopen": (("reopen",), TextForm, gettext_lazy("返困重启")),
}


def ui_actions_for(user, household) -> list[tuple[str, str]]:
    allowed = set(selectors.review_actions_for(user=user, household=household))
    return [(name, label) for name, (actions, _form, label) in UI_ACTIONS.items() if allowed.intersection(actions)]


@role_required(*FILE_READERS)
def review_queue(request):
    queues = selectors.queues_for(user=request.user)
    if not queues:
        raise PermissionDenied
    names = [name for name, _label in queues]
    current = request.GET.get("queue") if request.GET.get("queue") in names else names[0]
    page = paginate(selectors.review_queue(user=request.user, queue=current), request.GET.get("page"))
    today = timezone.localdate()
    rows = [(h, selectors.due_date_of(h, current)) for h in page.object_list]
    return render(
        request,
        "cases/review_queue.html",
        {"queues": queues, "current": current, "page": page, "rows": rows, "today": today},
    )


def _organisations_for(user, household):
    """Organisations contracted by a union at or above the household (the only ones it may go to)."""
    ancestor_ids = [int(pk) for pk in household.union.path.strip("/").split("/")]
    return SocialOrganisation.objects.filter(is_active=True, contracted_by_id__in=ancestor_ids).order_by("name")


def _form_for(name, household, request):
    _actions, form_class, _label = UI_ACTIONS[name]
    if form_class is None:
        return None
    data = request.POST if request.method == "POST" else None
    if form_class is AssignForm:
        from datetime import timedelta

        from django.conf import settings

        initial = {"due": timezone.localdate() + timedelta(days=settings.SECOND_REVIEW_DEFAULT_DAYS)}
        return AssignForm(data, organisations=_organisations_for(request.user, household), initial=initial)
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
    raise Http404


@role_required(*FILE_READERS)
def review_action(request, pk: int, name: str):
    """One page per action: what it does, the form, a confirm button. The service has the last word."""
    if name not in UI_ACTIONS:
        raise Http404
    household = selectors.household_get(user=request.user, pk=pk)
    form = _form_for(name, household, request)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            _run(name, request, household, form)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _("您没有权限执行此操作。"))
            return redirect("cases:household_detail", pk=pk)
        except ValidationError as exc:
            if form is None:
                messages.error(request, exc.messages[0])
                return redirect("cases:household_detail", pk=pk)
            form.add_error(None, exc)
        else:
            messages.success(request, _("已完成：%(a)s。") % {"a": UI_ACTIONS[name][2]})
            return redirect("cases:household_detail", pk=pk)
    context = {"household": household, "form": form, "name": name, "title": UI_ACTIONS[name][2]}
    if name == "exit":
        context["eligibility"] = review.exit_eligibility(household=household)
    return render(request, "cases/review_action.html", context)


@role_required(Role.GRASSROOTS_STAFF, Role.CASEWORKER, Role.THIRD_PARTY_REVIEWER)
def visit_create(request, pk: int, step: str):
    """入户走访 form — made for a phone in the field."""
    if step not in Step.values:
        raise Http404
    household = selectors.household_get(user=request.user, pk=pk)
    if step not in selectors.visit_steps_for(user=request.user, household=household):
        messages.error(request, _("该案件当前不需要或您不能记录“%(s)s”走访。") % {"s": Step(step).label})
        return redirect("cases:household_detail", pk=pk)
    colleagues = User.objects.filter(
        role_assignments__union__in=scope_unions(request.user),
        role_assignments__role__in=[Role.CASEWORKER, Role.GRASSROOTS_STAFF, Role.THIRD_PARTY_REVIEWER],
        is_active=True,
    ).exclude(pk__in=[request.user.pk, household.submitted_by_id or 0])  # the submitter does not review
    if step == Step.SECOND:
        # The 复审 is the third party's own visit: its colleagues only, never the 初审 reviewer.
        colleagues = colleagues.filter(
            role_assignments__role=Role.THIRD_PARTY_REVIEWER, role_assignments__organisation=household.second_review_org
        ).exclude(pk=household.first_reviewer_id or 0)
    colleagues = colleagues.distinct().order_by("full_name")[:50]
    ancestor_ids = [int(x) for x in household.union.path.strip("/").split("/")]
    observers = User.objects.filter(
        role_assignments__role=Role.DISCIPLINE_OBSERVER, role_assignments__union_id__in=ancestor_ids, is_active=True
    ).distinct()
    form = VisitForm(
        request.POST or None, request.FILES or None, members=list(household.members.all()),
        colleagues=User.objects.filter(pk__in=[u.pk for u in colleagues]), observers=observers,
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
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("走访记录已保存。"))
            return redirect("cases:household_detail", pk=pk)
    return render(request, "cases/visit_form.html", {"household": household, "form": form, "step": Step(step)})


@require_POST
@role_required(Role.GRASSROOTS_STAFF, Role.CASEWORKER)
def monthly_income_add(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    form = MonthlyIncomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写月份（如 2026-10）和不小于 0 的人均月收入。"))
        return redirect("cases:household_detail", pk=pk)
    try:
        review.monthly_income_record(actor=request.user, household_id=household.pk, month=form.cleaned_data["month"],
                                     per_capita_income=form.cleaned_data["per_capita_income"],
                                     request=request)  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("月度收入已记录。"))
    return redirect("cases:household_detail", pk=pk)


@role_required(*FILE_READERS)
def notice_list(request):
    """公示: masked name, union, tier, main cause and the dates — nothing else."""
    page = paginate(selectors.notice_list(user=request.user), request.GET.get("page"), per_page=50)
    return render(request, "cases/notice_list.html", {"page": page, "today": timezone.localdate()})
