from django import template

from cases.models import Tier
from hardship.money import money

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
