from django import template
from django.core.exceptions import NON_FIELD_ERRORS

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


@register.filter
def has_field_errors(form_or_formset) -> bool:
    """Whether a field is marked in red (not only a message for the whole form): a form, or a formset's rows."""
    forms = getattr(form_or_formset, "forms", None)
    if forms is not None:
        return any(has_field_errors(form) for form in forms)
    errors = getattr(form_or_formset, "errors", None) or {}
    return any(key != NON_FIELD_ERRORS for key in errors)
