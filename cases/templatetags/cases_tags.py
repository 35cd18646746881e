from django import template

from cases.models import Tier

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """ "extreme" → 特困: for annotated tiers that carry no get_FOO_display."""
    try:
        return Tier(value).label
    except ValueError:
        return value
