from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .access import AUDIT_READERS, UNION_READERS, role_required, user_roles
from .audit_words import verb_choices
from .celery import app
from .identity import parse_id_number
from .models import ExportJob, Union
from .services import audit_record, notifications_mark_read
from .work import work_sections

PAGE_SIZE = 25


def my_work(request):
    """「我的工作」: what waits on this user, one section per role they hold."""
    return render(
        request,
        "hardship/my_work.html",
        {"sections": work_sections(request.user), "roles": sorted(user_roles(request.user))},
    )


@role_required(*UNION_READERS)
def union_list(request):
    search = request.GET.get("q", "").strip()
    level = request.GET.get("level", "")
    if level not in Union.Level.values:
        level = ""
    unions = selectors.union_list(user=request.user, search=search, level=level)
    page = Paginator(unions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "hardship/union_list.html",
        {"page": page, "search": search, "level": level, "levels": Union.Level.choices, "total": page.paginator.count},
    )


@role_required(*UNION_READERS)
def union_detail(request, pk: int):
    union = selectors.union_get(user=request.user, pk=pk)
    children = selectors.union_children(user=request.user, union=union)
    staff = union.role_assignments.select_related("user", "organisation").order_by("role")
    return render(request, "hardship/union_detail.html", {"union": union, "children": children, "staff": staff})


@role_required(*AUDIT_READERS)
def audit_list(request):
    """The audit log, in words; its filter is a list of the verbs in words (an unknown one lists everything)."""
    verbs = verb_choices()
    verb = request.GET.get("verb", "").strip()
    if verb not in dict(verbs):
        verb = ""
    events = selectors.audit_event_list(user=request.user, verb=verb)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "hardship/audit_list.html", {"page": page, "verb": verb, "verbs": verbs})


def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit_record(actor=user, verb="auth.password_change", target=user, request=request)
        messages.success(request, _("密码已修改。"))
        return redirect("my_work")
    return render(request, "registration/password_change_form.html", {"form": form})


@login_not_required
@never_cache
@require_GET
def health(request):
    """For the load balancer: 200 when the database and the broker answer, 503 otherwise."""
    checks = {"database": database_status(), "broker": broker_status()}
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # noqa: BLE001 — any failure means "not healthy"
        return f"error: {exc.__class__.__name__}"


def broker_status() -> str:
    if settings.CELERY_BROKER_URL.startswith("memory://"):
        return "ok"  # embedded mode: tasks run in-process
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def notifications(request):
    page = Paginator(request.user.notifications.all(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "hardship/notifications.html", {"page": page})


@require_POST
def notifications_read(request):
    notifications_mark_read(user=request.user)
    return redirect("hardship:notifications")


@require_POST
@never_cache
def id_number_check(request):
    """The household form checks a 身份证号 as the field is left: the server's rule and message, as JSON.

    POST (never a query string: an ID number does not belong in access logs). Checks the
    number's form only (GB 11643); whether the person is on another file is said on save.
    """
    try:
        parsed = parse_id_number(request.POST.get("id_number", ""))
    except ValidationError as exc:
        return JsonResponse({"ok": False, "message": exc.messages[0]})
    sex = _("男") if parsed.sex == "M" else _("女")
    return JsonResponse({"ok": True, "birth_date": parsed.birth_date.isoformat(), "sex": str(sex)})


def export_list(request):
    """「我的导出」: the user's files of the last 24 hours, with the progress of those still being written."""
    jobs = list(selectors.export_list(user=request.user)[:50])
    writing = any(job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING) for job in jobs)
    return render(request, "hardship/export_list.html", {"jobs": jobs, "writing": writing})


@never_cache
@require_GET
def export_status(request):
    """What 「我的导出」 polls while a file is being written."""
    jobs = selectors.export_list(user=request.user)[:50]
    return JsonResponse({"jobs": [{"id": job.pk, "status": job.status, "percent": job.progress_percent,
                                   "done": job.rows_done, "total": job.rows_total} for job in jobs]})  # fmt: skip


@never_cache
@require_GET
def export_download(request, pk: int):
    job = selectors.export_get(user=request.user, pk=pk)
    handle = services.export_open(actor=request.user, job=job, request=request)
    return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
