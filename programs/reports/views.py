"""The dashboard and the returns: thin views over the scoped selectors."""

import re

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hardship.access import role_required, root_unions
from hardship.services import audit_record

from . import selectors, xlsx
from .charts import bar_chart

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The three charts side by side are a third of the page wide: a narrower drawing keeps their text legible.
NARROW = 360
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def _current_quarter(today) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


@role_required(*selectors.REPORT_READERS)
def dashboard(request):
    now = timezone.now()
    today = timezone.localdate(now)
    user = request.user
    # From the cached summary (as of its snapshot); live only before the first refresh.
    figures = selectors.dashboard_figures(user=user, now=now)
    breakdown, flow, money = figures["breakdown"], figures["flow"], figures["money"]
    return render(
        request,
        "reports/dashboard.html",
        {
            "snapshot": figures["snapshot"],
            "snapshot_stale": figures["stale"],
            "snapshot_is_today": figures["as_of"] == today,
            "breakdown": breakdown,
            "tier_chart": bar_chart(breakdown["tier"], title="困难类别", width=NARROW),
            "status_chart": bar_chart(breakdown["status"], title="档案状态", width=NARROW),
            "cause_chart": bar_chart(breakdown["cause"], title="主要致困原因", width=NARROW),
            "flow": flow,
            "filed_chart": bar_chart([(r["label"][2:], r["filed"]) for r in flow], title="每月新建档"),
            "exited_chart": bar_chart(
                [(r["label"][2:], r["exited"]) for r in flow], title="每月脱困解困", fill="#2e8b57"
            ),
            "exits": figures["exits"],
            "target_percent": f"{selectors.EXIT_TARGET * 100:.0f}%",
            "money": money,
            "money_chart": bar_chart([(r["quarter"], r["total"]) for r in money["rows"]], title="每季度发放金额"),
            "season": selectors.current_season(user=user),
            "quarter": _current_quarter(today),
            "year": today.year,
        },
    )


def _audit_download(request, name: str) -> None:
    roots = root_unions(request.user, selectors.REPORT_READERS)
    audit_record(
        actor=request.user,
        verb="reports.download",
        union=roots[0] if roots else None,
        changes={"report": (None, name)},
        request=request,
    )


def _xlsx(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@role_required(*selectors.REPORT_READERS)
def quarterly_return(request):
    quarter = request.GET.get("quarter") or _current_quarter(timezone.localdate())
    if not _QUARTER.match(quarter):
        raise Http404
    rows = selectors.quarterly_return(user=request.user, quarter=quarter)
    _audit_download(request, f"quarterly {quarter}")
    return _xlsx(xlsx.quarterly_return_xlsx(quarter, rows), f"quarterly-return-{quarter}.xlsx")


@role_required(*selectors.REPORT_READERS)
def exit_return(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError as exc:
        raise Http404 from exc
    if not 2000 <= year <= today.year:
        raise Http404
    rows = selectors.exit_return(user=request.user, year=year, today=today)
    total = selectors.exit_figures(user=request.user, year=year, today=today)
    _audit_download(request, f"exits {year}")
    return _xlsx(xlsx.exit_return_xlsx(year, rows, total), f"exit-return-{year}.xlsx")
