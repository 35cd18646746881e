import ast
from datetime import datetime

from django import template
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Cause, Household, Member, Tier
from cases.review.services import ACTION_LABELS

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """ "extreme" → 特困: for annotated tiers that carry no get_FOO_display."""
    try:
        return Tier(value).label
    except ValueError:
        return value


# The file's history (变更记录) in words: audit verbs and stored field names → what a caseworker reads.
AUDIT_VERBS = {
    "household.create": _("建立档案"),
    "household.update": _("修改档案"),
    "household.attachment_add": _("上传证明材料"),
    "household.unmask": _("查看明文"),
    "household.import": _("Excel 导入"),
    "household.generate": _("批量生成"),
    "household.export": _("导出档案"),
    "household.bank_account": _("更正收款账户"),
    "household.demo_filed": _("演示数据：直接建档"),
    "review.monthly_income": _("记录月度收入"),
    "support.help": _("记录非现金帮扶"),
    "support.loan": _("登记创业贷"),
    "support.cover": _("办理互助保障参保"),
    "support.claim": _("登记互助保障赔付"),
}
AUDIT_KEYS = {
    "attachment": _("证明材料"),
    "help": _("帮扶"),
    "loan": _("贷款金额（元）"),
    "cover": _("参保"),
    "claim": _("赔付"),
}
MEMBER_EVENTS = {"added": _("新增成员"), "removed": _("移出成员")}


@register.filter
def audit_verb(verb: str) -> str:
    if verb in AUDIT_VERBS:
        return AUDIT_VERBS[verb]
    if verb.startswith("review."):
        return ACTION_LABELS.get(verb.removeprefix("review."), verb)
    return verb


@register.filter
def audit_changes(changes) -> list[tuple[str, str, str]]:
    """(label, old, new) per change, values as shown on the page; old is "" when the field was empty."""
    rows = []
    for key, pair in (changes or {}).items():
        if key == "version":
            continue  # bookkeeping for stale forms (household_changes_since), not a change a person made
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        label, field = _audit_label(key)
        if isinstance(field, models.ForeignKey) and field.related_model is get_user_model():
            continue  # 提交人/初审人/复审人: the person named at the head of the entry
        rows.append((label, _audit_value(field, old), _audit_value(field, new) or "—"))
    return rows


def _audit_label(key: str) -> tuple[str, models.Field | None]:
    if key in AUDIT_KEYS:
        return str(AUDIT_KEYS[key]), None
    if key.startswith("income."):  # a month's per-capita income
        return f"{key.removeprefix('income.')} {_('人均月收入')}", None
    if key.startswith("members."):
        _prefix, name, attribute = (key.split(".", 2) + ["", ""])[:3]
        if attribute in MEMBER_EVENTS:
            return f"{MEMBER_EVENTS[attribute]} {name}", None
        field = _field(Member, attribute)
        return f"{name} · {field.verbose_name if field else attribute}", field
    field = _field(Household, key)
    return (str(field.verbose_name) if field else key), field


def _field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _audit_value(field, value) -> str:
    if value in (None, "", "None"):
        return ""
    if field is None:
        return str(value)
    if isinstance(field, models.BooleanField):
        return str(_("是") if value in (True, "True", "true") else _("否"))
    if field.name == "secondary_causes":
        codes = ast.literal_eval(value) if isinstance(value, str) and value.startswith("[") else value
        return "、".join(str(Cause(c).label) if c in Cause.values else str(c) for c in codes or [])
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.DateTimeField):
        try:
            moment = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
        if timezone.is_aware(moment):
            moment = timezone.localtime(moment)
        return f"{moment:%Y-%m-%d %H:%M}"
    return str(value)


@register.filter
def has_field_errors(form_or_formset) -> bool:
    """Whether a field is marked in red (not only a message for the whole form): a form, or a formset's rows."""
    forms = getattr(form_or_formset, "forms", None)
    if forms is not None:
        return any(has_field_errors(form) for form in forms)
    errors = getattr(form_or_formset, "errors", None) or {}
    return any(key != NON_FIELD_ERRORS for key in errors)
