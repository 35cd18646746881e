"""困难自测: public, no sign-in, nothing stored."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


@login_not_required
def self_test(request):
    return render(request, "family/self_test.html", {})
