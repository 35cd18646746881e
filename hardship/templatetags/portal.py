from django import template

from hardship.money import money_text

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with ``changes`` applied: pagination keeps search and filters."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        params[key] = value
    return params.urlencode()


@register.filter
def mask_name(value: str) -> str:
    """张*明: the name as a 公示 shows it."""
    from hardship.masking import mask_name as _mask

    return _mask(value)


@register.filter(name="money")
def money_filter(value) -> str:
    """An amount as every page shows it: two decimals, half up (``hardship.money``), whatever
    the database handed back. ``{{ x|money|default:"—" }}`` for an amount that may be missing."""
    return money_text(value)
