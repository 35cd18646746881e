"""The worker's own page: their file's status and what they can do."""

from django.shortcuts import render

from ..auth import worker_required


@worker_required
def home(request):
    return render(request, "family/home.html", {"worker": request.worker})
