"""申诉 / 投诉 / 举报 pages: the centre's queue and a ticket's page (staff), recording one from a file,
and the public complaint, tip-off and reply pages (no sign-in). Thin: selector → form → service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hardship.access import role_required
from hardship.workflow import ActionRefused

from .. import selectors as file_selectors
from . import selectors, services
from .forms import AssignForm, CloseForm, ComplaintForm, ReplyForm, StaffTicketForm, TipOffForm
from .models import TicketKind
from .workflow import READERS, RECORDERS, ticket_workflow


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@role_required(*READERS)
def ticket_queue(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in selectors.TABS else "open"
    tickets = selectors.ticket_queue(user=request.user, tab=tab)[:200]
    return render(request, "cases/ticket_queue.html", {"tickets": tickets, "tab": tab, "tabs": selectors.TABS})


@role_required(*READERS)
def ticket_detail(request, ticket_id: int):
    ticket, actions = selectors.ticket_for_user(user=request.user, pk=ticket_id)
    allowed = {a.name: a for a in actions}
    return render(request, "cases/ticket_detail.html", {
        "ticket": ticket, "actions": allowed, "replies": selectors.ticket_replies(ticket=ticket, public_only=False),
        "reply_form": ReplyForm(), "close_form": CloseForm(),
        "assign_form": AssignForm(staff=selectors.assignable_staff(ticket=ticket)) if "assign" in allowed else None,
    })  # fmt: skip


@require_POST
@role_required(*READERS)
def ticket_action(request, ticket_id: int, name: str):
    if name not in ticket_workflow.by_name:
        raise Http404
    ticket, _actions = selectors.ticket_for_user(user=request.user, pk=ticket_id)
    try:
        if name == "assign":
            form = AssignForm(request.POST, staff=selectors.assignable_staff(ticket=ticket))
            if form.is_valid():
                services.ticket_assign(actor=request.user, ticket_id=ticket.pk, assignee=form.cleaned_data["assignee"],
                                       request=request)  # fmt: skip
                messages.success(request, _("已分派承办人。"))
        elif name == "reply":
            form = ReplyForm(request.POST)
            if form.is_valid():
                services.ticket_reply(actor=request.user, ticket_id=ticket.pk, text=form.cleaned_data["text"],
                                      public=not form.cleaned_data["internal"], request=request)  # fmt: skip
                messages.success(request, _("答复已保存。"))
        else:
            form = CloseForm(request.POST)
            if form.is_valid():
                services.ticket_close(actor=request.user, ticket_id=ticket.pk, upheld=name == "uphold",
                                      outcome=form.cleaned_data["outcome"], request=request)  # fmt: skip
                messages.success(request, _("已办结，办理结果已记入档案的变更记录。") if ticket.household_id
                                 else _("已办结。"))  # fmt: skip
        if not form.is_valid():
            messages.error(request, next(iter(form.errors.values()))[0])
    except ActionRefused as exc:
        messages.error(request, str(exc))
    return redirect("cases:ticket_detail", ticket_id=ticket.pk)


@role_required(*RECORDERS)
def ticket_new(request, pk: int):
    """Staff record an appeal or a complaint a worker brings about their file."""
    household = file_selectors.household_get(user=request.user, pk=pk)
    form = StaffTicketForm(request.POST or None, initial={"name": household.head_name, "phone": household.phone})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.ticket_submit(
                kind=data["kind"], subject=data["subject"] if data["kind"] == TicketKind.APPEAL else "",
                household_id=household.pk, text=data["text"], name=data["name"], phone=data["phone"],
                actor=request.user, request=request,
            )  # fmt: skip
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("已登记，查询码 %(c)s，办理期限 %(d)s。") % {"c": ticket.code, "d": ticket.due_on}
            )
            return redirect("cases:household_detail", pk=pk)
    return render(request, "cases/ticket_new.html", {"household": household, "form": form})


# Public pages: anyone, no sign-in.


def _public_submit(request, form, **fields):
    try:
        ticket = services.ticket_submit(ip=_ip(request), request=request, **fields)
    except ActionRefused as exc:
        form.add_error(None, str(exc))
        return None
    return redirect("cases:ticket_public", code=ticket.code)


@login_not_required
def complaint_new(request):
    form = ComplaintForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        text = f"【{data['about']}】{data['text']}" if data["about"] else data["text"]
        done = _public_submit(request, form, kind=TicketKind.COMPLAINT, union=data["union"], text=text,
                              name=data["name"], phone=data["phone"])  # fmt: skip
        if done:
            return done
    return render(request, "cases/ticket_public_form.html", {"form": form, "title": _("投诉")})


@login_not_required
def tip_off_new(request):
    initial = {"notice_number": request.GET.get("case")} if (request.GET.get("case") or "").isdigit() else {}
    form = TipOffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        done = _public_submit(request, form, kind=TicketKind.TIP_OFF, household_id=data["notice_number"],
                              text=data["text"], anonymous=data["anonymous"], name=data["name"],
                              phone=data["phone"])  # fmt: skip
        if done:
            return done
    return render(request, "cases/ticket_public_form.html", {"form": form, "title": _("举报公示中的案件")})


@login_not_required
def ticket_public(request, code: str):
    """What the submitter reads: status, due date, the replies meant for them (never staff notes)."""
    ticket = selectors.ticket_by_code(code=code)
    return render(request, "cases/ticket_public.html", {
        "ticket": ticket, "replies": selectors.ticket_replies(ticket=ticket, public_only=True)})  # fmt: skip


ticket_urlpatterns = [
    path("tickets/", ticket_queue, name="ticket_queue"),
    path("tickets/<int:ticket_id>/", ticket_detail, name="ticket_detail"),
    path("tickets/<int:ticket_id>/<slug:name>/", ticket_action, name="ticket_action"),
    path("<int:pk>/tickets/new/", ticket_new, name="ticket_new"),
    path("public/complaint/", complaint_new, name="complaint_new"),
    path("public/tip-off/", tip_off_new, name="tip_off_new"),
    path("public/t/<slug:code>/", ticket_public, name="ticket_public"),
]
