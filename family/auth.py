"""The worker's session: its own key, its own decorator; the staff authentication is left untouched.

Why not a Django ``User`` without roles: every staff page, selector and the API read
``request.user`` and its role assignments, the admin and axes key on it, and the duty rules compare
``submitted_by`` with a ``User``. A worker logged in as a ``User`` would be one forgotten
``@login_required`` away from a staff page. With a separate key the worker is, to every staff check,
an anonymous visitor (``LoginRequiredMiddleware`` sends them to the staff login), and the worker's
pages accept nothing but this key. Signing in rotates the session key (no fixation); signing out
flushes the session.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect
from django.utils import timezone

from .models import WorkerAccount

SESSION_KEY = "_family_worker_id"
# The phone whose code was just verified, waiting to link a file or register (no account yet).
VERIFIED_PHONE_KEY = "_family_verified_phone"
# The phone a code was sent to, for the code page.
PENDING_PHONE_KEY = "_family_pending_phone"


def worker_sign_in(request, account: WorkerAccount) -> None:
    request.session.cycle_key()
    request.session.pop(VERIFIED_PHONE_KEY, None)
    request.session.pop(PENDING_PHONE_KEY, None)
    request.session[SESSION_KEY] = account.pk
    WorkerAccount.objects.filter(pk=account.pk).update(last_sign_in_at=timezone.now())


def worker_sign_out(request) -> None:
    request.session.flush()


def current_worker(request) -> WorkerAccount | None:
    account_id = request.session.get(SESSION_KEY)
    if not account_id:
        return None
    return WorkerAccount.objects.filter(pk=account_id, is_active=True).select_related("household").first()


def worker_required(view):
    """A worker's page: signed in with a code (``SESSION_KEY``), else to the worker sign-in page.

    ``login_not_required`` only lifts the staff login requirement for this view: the page then
    demands the worker's own key and reads nothing but the worker's household.
    """

    @login_not_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        worker = current_worker(request)
        if worker is None:
            return redirect("family:sign_in")
        request.worker = worker
        return view(request, *args, **kwargs)

    return wrapped
