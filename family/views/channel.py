"""The worker's messages (in-app notifications), appeals (申诉) and their replies. Thin: selector → form → service."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.notices.services import family_notifications_mark_read
from cases.tickets import selectors as ticket_selectors
from cases.tickets.models import AppealSubject, TicketKind
from cases.tickets.services import ticket_submit
from hardship.workflow import ActionRefused

from .. import channel
from ..auth import worker_required
from ..forms import NoticesReadForm

KINDS = [
    (TicketKind.APPEAL, gettext_lazy("申诉（对决定有异议）")),
    (TicketKind.COMPLAINT, gettext_lazy("投诉（对服务不满意）")),
]


class AppealForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=KINDS)
    subject = forms.ChoiceField(label=gettext_lazy("申诉事项"), choices=[("", "—"), *AppealSubject.choices],
                                required=False)  # fmt: skip
    text = forms.CharField(label=gettext_lazy("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 5}))


@worker_required
def notices(request):
    """The worker's messages, newest first. Reading the page changes nothing (a link preview, a reload or a
    prefetch must not mark a message read): the worker marks them read with the button."""
    rows = list(channel.worker_notifications(request.worker))
    unread = [n for n in rows if n.read_at is None]
    form = NoticesReadForm(initial={"up_to": max(n.pk for n in unread)}) if unread else None
    return render(request, "family/notices.html", {"worker": request.worker, "notices": rows, "read_form": form})


@worker_required
@require_POST
def notices_read(request):
    form = NoticesReadForm(request.POST)
    if form.is_valid() and request.worker.household_id:
        family_notifications_mark_read(household_id=request.worker.household_id, up_to=form.cleaned_data["up_to"])
        messages.success(request, _("消息已全部标为已读。"))
    return redirect("family:notices")


@worker_required
def tickets(request):
    return render(request, "family/tickets.html", {"worker": request.worker,
                                                   "tickets": channel.worker_tickets(request.worker)})  # fmt: skip


@worker_required
def ticket_new(request):
    worker = request.worker
    if worker.household_id is None:
        messages.info(request, _("您还没有帮扶档案；对服务不满意可以在投诉页面提出。"))
        return redirect("cases:complaint_new")
    form = AppealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = ticket_submit(
                kind=data["kind"], subject=data["subject"] if data["kind"] == TicketKind.APPEAL else "",
                text=data["text"], name=worker.name, phone=worker.phone, worker_household_id=worker.household_id,
                request=request,
            )  # fmt: skip
        except ActionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已提交，工会将在 %(d)s 前答复。") % {"d": ticket.due_on})
            return redirect("family:ticket_detail", ticket_id=ticket.pk)
    return render(request, "family/ticket_new.html", {"worker": worker, "form": form})


@worker_required
def ticket_detail(request, ticket_id: int):
    ticket = channel.worker_ticket(request.worker, ticket_id)
    replies = ticket_selectors.ticket_replies(ticket=ticket, public_only=True)
    return render(request, "family/ticket_detail.html", {"worker": request.worker, "ticket": ticket,
                                                         "replies": replies})  # fmt: skip
