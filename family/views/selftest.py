"""困难自测: public, no sign-in, nothing stored (the answer is computed and shown, no row is written)."""

from decimal import Decimal

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render

from ..auth import current_worker
from ..forms import EXPENSES, SelfTestForm, more_rows_used, self_test_member_forms
from ..selftest import SelfTestMember, self_test


@login_not_required
def self_test_page(request):
    # A GET with the form's fields is the question (the answer can be bookmarked, nothing is posted or kept).
    asked = "union" in request.GET
    form = SelfTestForm(request.GET if asked else None)
    rows = self_test_member_forms(request.GET if asked else None)
    result = None
    if asked and form.is_valid() & all([row.is_valid() for row in rows]):
        members = [
            SelfTestMember(
                age=row.cleaned_data["age"], work_status=row.cleaned_data.get("work_status") or "employed",
                health=row.cleaned_data.get("health") or "healthy",
                disability=row.cleaned_data.get("disability") or "none",
                annual_income=sum(row.annual_incomes().values(), Decimal("0")),
            )
            for row in rows
            if not row.is_empty()
        ]  # fmt: skip
        expenses = {name: form.cleaned_data.get(name) or Decimal("0") for name, _label in EXPENSES}
        result = self_test(union=form.cleaned_data["union"], members=members, expenses=expenses,
                           sudden_event_cost=form.cleaned_data.get("sudden_event_cost") or Decimal("0"))  # fmt: skip
    context = {"form": form, "rows": rows, "result": result, "more_open": more_rows_used(rows)}
    return render(request, "family/self_test.html", {**context, "worker": current_worker(request)})
