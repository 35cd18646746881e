from html import escape

from django import template
from django.template.base import NodeList, token_kwargs
from django.utils.safestring import mark_safe

from hardship.audit_words import describe_changes, verb_label
from hardship.masking import mask_name as _mask_name
from hardship.money import money_text
from hardship.navigation import pk_url as _pk_url

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied: pagination keeps search and filters."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def pk_url(pk, name: str) -> str:
    """``{{ h.pk|pk_url:"cases:household_detail" }}`` = ``{% url "cases:household_detail" h.pk %}``, reversed
    once per process: for the rows of a list."""
    return _pk_url(name, pk)


@register.simple_tag
def select_options(choices, current) -> str:
    """``{% select_options choices current %}``: the ``<option>`` of each (value, label), the current one
    selected — the filter bars' selects (compared as text, as a query string gives it). One call instead of
    a loop with an ``{% if %}`` per option; every value escaped (html.escape, as django.utils.html.escape)."""
    current = "" if current is None else str(current)
    options = []
    for value, label in choices:
        value = str(value)
        selected = " selected" if value == current else ""
        options.append(f'<option value="{escape(value)}"{selected}>{escape(str(label))}</option>')
    return mark_safe("".join(options))  # noqa: S308 — every value is escaped


@register.simple_tag
def nav_links(items) -> str:
    """``{% nav_links nav_items %}``: the menu's entries (hardship.navigation.nav_for), the current one marked —
    drawn on every page, one call instead of a loop of nine entries with two ``{% if %}`` each."""
    links = []
    for item in items:
        active, current = (" active", ' aria-current="page"') if item["active"] else ("", "")
        url, icon, label = escape(item["url"]), escape(item["icon"]), escape(str(item["label"]))
        links.append(
            f'<li class="nav-item"><a class="nav-link{active}" href="{url}"{current}>'
            f'<i class="bi {icon} me-1"></i>{label}</a></li>'
        )
    return mark_safe("".join(links))  # noqa: S308 — every value is escaped


@register.filter
def mask_name(value: str) -> str:
    """张*明: the name as a 公示 shows it."""
    return _mask_name(value)


@register.filter
def audit_verb(verb: str) -> str:
    """An audit verb in words, in the UI language (every app registers its own: hardship.audit_words)."""
    return verb_label(verb)


@register.filter
def audit_changes(event) -> list[tuple[str, str, str]]:
    """(label, old, new) per change of an audit event, in words: 困难类别：特困 → 相对困难."""
    return describe_changes(event.changes, event.target_type)


@register.filter(name="money")
def money_filter(value) -> str:
    """An amount as every page shows it: two decimals, half up (``hardship.money``), whatever
    the database handed back. ``{{ x|money|default:"—" }}`` for an amount that may be missing."""
    return money_text(value)


class PagedCardNode(template.Node):
    def __init__(self, page, extra: dict, body: NodeList, empty: NodeList):
        self.page, self.extra, self.body, self.empty = page, extra, body, empty

    def render(self, context) -> str:
        page = self.page.resolve(context)
        values = {key: value.resolve(context) for key, value in self.extra.items()}
        # Only the branch the page shows is rendered: an empty list never walks the rows' template.
        if page.object_list:
            values["body"] = self.body.render(context)
        else:
            values["empty"] = self.empty.render(context)
        shell = context.template.engine.get_template("includes/paged_card.html")
        with context.push(page=page, **values):
            return shell.render(context)


@register.tag
def paged_card(parser, token):
    """``{% paged_card page icon="bi-…" %}`` card content ``{% empty %}`` empty-state words ``{% endpaged_card %}``.

    One shell for the paginated lists (includes/paged_card.html): the card and its pagination
    footer when the page has rows, else the empty state with its icon.
    """
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("paged_card needs the page: {% paged_card page icon='bi-…' %}")
    page = parser.compile_filter(bits[1])
    extra = token_kwargs(bits[2:], parser)
    if len(extra) != len(bits) - 2:
        raise template.TemplateSyntaxError("paged_card takes the page, then name=value pairs")
    body = parser.parse(("empty", "endpaged_card"))
    empty = NodeList()
    if parser.next_token().contents == "empty":
        empty = parser.parse(("endpaged_card",))
        parser.delete_first_token()
    return PagedCardNode(page, extra, body, empty)
