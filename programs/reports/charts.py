"""Bar charts as server-rendered inline SVG: no JavaScript, no CDN, no style= attributes (CSP).

Colours, font sizes and positions are SVG presentation attributes (allowed under a strict CSP);
the classes are hooks for a stylesheet, not needed to draw the chart.
"""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_noop

# The dashboard's chart titles, marked so that makemessages collects them. A caller may pass
# one of these (or any other text already in the catalogue): bar_chart translates the title
# when it draws, in the language of the request.
TIER_TITLE = gettext_noop("困难类别")
STATUS_TITLE = gettext_noop("档案状态")
CAUSE_TITLE = gettext_noop("主要致困原因")
FILED_TITLE = gettext_noop("每月新建档")
EXITED_TITLE = gettext_noop("每月脱困解困")
MONEY_TITLE = gettext_noop("每季度发放金额")

WIDTH = 640
BAR_AREA_TOP = 20
BAR_AREA_HEIGHT = 160
LABEL_ROW = 200
HEIGHT = 230


def bar_chart(rows: Sequence[tuple[str, float | int]], *, title: str, width: int = WIDTH, fill: str = "#2f6fb3") -> str:
    """Vertical bars, one per (label, value); the value is printed above each bar.

    The data table under each chart is the accessible version; the SVG is marked
    as an image with the chart's title, translated here (see the titles above).
    """
    if not rows:
        return format_html('<p class="text-muted small chart-empty">{}</p>', gettext("暂无数据"))
    title = gettext(str(title))
    count = len(rows)
    slot = width / count
    bar = max(slot * 0.6, 2)
    top = max((float(v) for _, v in rows), default=0) or 1
    bars = []
    for i, (label, value) in enumerate(rows):
        h = round(BAR_AREA_HEIGHT * float(value) / top, 1)
        x = round(i * slot + (slot - bar) / 2, 1)
        y = round(BAR_AREA_TOP + BAR_AREA_HEIGHT - h, 1)
        cx = round(i * slot + slot / 2, 1)
        bars.append((x, y, round(bar, 1), h, fill, cx, y - 4, _number(value), cx, LABEL_ROW, label))
    body = format_html_join(
        "",
        '<rect class="chart-bar" x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        '<text class="chart-value" x="{}" y="{}" text-anchor="middle" font-size="12" fill="#333">{}</text>'
        '<text class="chart-label" x="{}" y="{}" text-anchor="middle" font-size="12" fill="#555">{}</text>',
        bars,
    )
    baseline = BAR_AREA_TOP + BAR_AREA_HEIGHT
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">'
        "<title>{}</title>"
        '<line class="chart-axis" x1="0" y1="{}" x2="{}" y2="{}" stroke="#888"></line>{}</svg>',
        width, HEIGHT, title, title, baseline, width, baseline, body,
    )  # fmt: skip


def _number(value) -> str:
    return f"{value:,.2f}" if not isinstance(value, int) else f"{value:,}"
