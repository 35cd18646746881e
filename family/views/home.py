"""The worker's own pages: the status of their application (进度查询) and their file (本人查档)."""

from django.shortcuts import render

from .. import channel, selectors
from ..auth import worker_required


@worker_required
def home(request):
    """进度查询: each step with its date, what is awaited and from whom, the outcome with its reason."""
    household = selectors.worker_household(request.worker)
    context = {"worker": request.worker, "household": household}
    if household is not None:
        context.update(
            steps=selectors.progress(household),
            outcome=selectors.outcome(household),
            reasons=selectors.return_reasons(household) if household.status == "returned" else "",
            actions=selectors.worker_actions(household, request.worker),
            unread_notices=channel.worker_unread_count(request.worker),
        )
    return render(request, "family/home.html", context)


@worker_required
def my_file(request):
    """本人查档: the worker's own household, masked; tier and why; payments; help and visits received."""
    household = selectors.worker_household_or_404(request.worker)
    members = [m for m in household.members.all() if not m.removed]
    return render(request, "family/my_file.html", {
        "worker": request.worker, "household": household, "members": members,
        "tier_reason": selectors.tier_reason(household), "payments": selectors.payments(household),
        "help": selectors.help_received(household), "visits": list(household.visits.all()),
    })  # fmt: skip
