from html import escape

from django import template
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cases.models import Tier
from hardship.money import money, money_text
from hardship.navigation import pk_url

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """ "extreme" → 特困: for annotated tiers that carry no get_FOO_display."""
    try:
        return Tier(value).label
    except ValueError:
        return value


@register.filter
def verified_incomes(visit, members) -> list[tuple[str, str, str]]:
    """(name, verified, recorded) per member a visit verified: the visit's monthly figure beside the file's."""
    by_pk = {str(m.pk): m for m in members or ()}
    rows = []
    for pk, verified in (visit.verified_incomes or {}).items():
        member = by_pk.get(str(pk))
        if member is not None:
            rows.append((member.name, str(money(verified)), str(member.monthly_income)))
    return rows


@register.filter
def has_field_errors(form_or_formset) -> bool:
    """Whether a field is marked in red (not only a message for the whole form): a form, or a formset's rows."""
    forms = getattr(form_or_formset, "forms", None)
    if forms is not None:
        return any(has_field_errors(form) for form in forms)
    errors = getattr(form_or_formset, "errors", None) or {}
    return any(key != NON_FIELD_ERRORS for key in errors)


# The household list's rows: 25 rows × 8 cells through the template engine were a third of the list page's
# template (~1.7 ms); made here they cost ~0.3 ms. What a row shows is the template's (cases/household_list.html
# passes the page's households); only the loop is here. Every value is escaped with html.escape — what
# django.utils.html.escape calls, without its check for lazy strings on each of the page's 450 values.
_HOUSEHOLD_ROW = (
    '<tr><th scope="row" class="fw-normal"><a href="{url}" class="fw-semibold">{name}</a></th>'
    '<td class="font-monospace small" data-label="{l_id}">{id_number}</td>'
    '<td class="small" data-label="{l_union}">{union}</td>'
    '<td data-label="{l_tier}"><span class="badge tier-badge tier-{tier}">{tier_label}</span></td>'
    '<td data-label="{l_status}"><span class="badge status-badge status-{status}">{status_label}</span></td>'
    '<td class="text-end" data-label="{l_size}">{size}</td>'
    '<td class="text-end" data-label="{l_per_capita}">{per_capita}</td>'
    '<td class="small text-muted" data-label="{l_number}">{number}</td></tr>'
)


@register.simple_tag
def household_rows(households) -> str:
    """``{% household_rows page.object_list %}``: the list's table rows, each cell labelled for the phone
    (where a row is a card: ``table-stack``)."""
    labels = {
        name: escape(str(label))
        for name, label in (("l_id", _("身份证号")), ("l_union", _("所属工会")), ("l_tier", _("困难类别")),
                            ("l_status", _("状态")), ("l_size", _("人口")), ("l_per_capita", _("人均月收入")),
                            ("l_number", _("职工编号")))
    }  # fmt: skip
    choice_labels: dict[tuple[str, str], str] = {}  # each tier's and status's words once a page

    def label(kind: str, value: str, words) -> str:
        if (kind, value) not in choice_labels:
            choice_labels[kind, value] = escape(str(words))
        return choice_labels[kind, value]

    rows = [
        _HOUSEHOLD_ROW.format(
            url=escape(pk_url("cases:household_detail", h.pk)),
            name=escape(h.head_name),
            id_number=escape(h.masked_head_id_number),
            union=escape(h.union.name),
            tier=escape(h.tier),
            tier_label=label("tier", h.tier, h.tier_label),
            status=escape(h.status),
            status_label=label("status", h.status, h.status_label),
            size=escape(str(h.member_count)),
            per_capita=escape(money_text(h.per_capita_income)),
            number=escape(h.file_number or "—"),
            **labels,
        )  # fmt: skip
        for h in households
    ]
    return mark_safe("".join(rows))  # noqa: S308 — every value above is escaped
