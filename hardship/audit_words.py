"""The audit log in words: one registry of verbs and change labels that every app contributes to.

An audit event stores codes (``standard.apply``, ``{"tier": [null, "relative"]}``); a person reads
words in the UI language (「按新标准重新认定」, 「困难类别：相对困难」). Each app registers the verbs it
writes from its ``AppConfig.ready`` (``register_verbs``) — this module knows nothing of the apps
above it — and the audit log page, its filter and each file's history read the same words.

A change's key is resolved in this order: a resolver registered for the event's target type
(``register_change_keys``: a household's ``members.张三.income_wages``), the target model's own
field (its ``verbose_name``, its choices for the values: found by the stored ``target_type``
through the app registry, so no import of the app), then words registered for bare keys
(``register_keys``: ``households``, ``attachment``), and the key itself as the last resort.
"""

import ast
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_VERBS: dict[str, object] = {}
_KEYS: dict[str, object] = {}


@dataclass(frozen=True)
class ChangeLabel:
    """How one key of ``changes`` reads: its label, the model field its values are of (for choices and
    dates), or a function that turns a stored value into words."""

    label: object
    field: models.Field | None = None
    words: Callable[[object], str] | None = None


KeyResolver = Callable[[str], "ChangeLabel | None"]
_RESOLVERS: dict[str, KeyResolver] = {}


def register_verbs(verbs: dict[str, object]) -> None:
    """Add words for verbs (``{"household.create": _("建立档案")}``); ``ready()`` may run more than once."""
    _VERBS.update(verbs)


def register_keys(keys: dict[str, object]) -> None:
    """Words for keys of ``changes`` that are no model field (``{"households": _("户数")}``)."""
    _KEYS.update(keys)


def register_change_keys(target_type: str, resolver: KeyResolver) -> None:
    """A resolver for the change keys of one target type (``"cases.household"``)."""
    _RESOLVERS[target_type] = resolver


def verb_label(verb: str) -> str:
    return str(_VERBS.get(verb, verb))


def known_verbs() -> set[str]:
    return set(_VERBS)


def verb_choices() -> list[tuple[str, str]]:
    """(verb, words) of every registered verb, in the order of the words: the audit log's filter."""
    return sorted(((verb, str(label)) for verb, label in _VERBS.items()), key=lambda pair: (pair[1], pair[0]))


def describe_changes(changes, target_type: str = "") -> list[tuple[str, str, str]]:
    """(label, old, new) per change, values in words; old is "" when the field was empty."""
    rows = []
    for key, pair in (changes or {}).items():
        if key == "version":
            continue  # bookkeeping for stale forms (household_changes_since), not a change a person made
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        described = _resolve(str(key), target_type)
        field = described.field
        if isinstance(field, models.ForeignKey) and field.related_model is get_user_model():
            continue  # 提交人/初审人/复审人: the person named at the head of the entry
        rows.append((str(described.label), _value(described, old), _value(described, new) or "—"))
    return rows


def _resolve(key: str, target_type: str) -> ChangeLabel:
    resolver = _RESOLVERS.get(target_type)
    if resolver is not None:
        found = resolver(key)
        if found is not None:
            return found
    field = model_field(target_type, key)
    if field is not None:
        return ChangeLabel(field.verbose_name, field)
    if key in _KEYS:
        return ChangeLabel(_KEYS[key])
    return ChangeLabel(key)


def model_field(target_type: str, name: str) -> models.Field | None:
    """The field ``name`` of the model stored as ``target_type`` ("cases.household"), if both exist."""
    if "." not in target_type:
        return None
    try:
        field = apps.get_model(target_type)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist, ValueError):
        return None
    return field if isinstance(field, models.Field) else None  # not a reverse relation ("members")


def _value(described: ChangeLabel, value) -> str:
    if value in (None, "", "None"):
        return ""
    if described.words is not None:
        return str(described.words(value))
    field = described.field
    if field is None:
        return str(value)
    if isinstance(field, models.BooleanField):
        return str(_("是") if value in (True, "True", "true") else _("否"))
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


def codes_in_words(choices) -> Callable[[object], str]:
    """Words for a stored list of codes (``"['schooling', 'other']"`` → 子女上学、其他)."""

    def words(value) -> str:
        codes = ast.literal_eval(value) if isinstance(value, str) and value.startswith("[") else value
        if isinstance(codes, str):
            codes = [codes]
        labels = dict(choices)
        return "、".join(str(labels.get(c, c)) for c in codes or [])

    return words


def register_all() -> None:
    """The platform's own verbs."""
    register_verbs(
        {
            "auth.login": _("登录"),
            "auth.logout": _("退出登录"),
            "auth.password_change": _("修改密码"),
            "role.assign": _("授予角色"),
            "union.create": _("新建工会"),
            "calendar.create": _("录入节假日安排"),
            "calendar.change": _("修改节假日安排"),
            "calendar.delete": _("删除节假日安排"),
            "export.download": _("下载导出文件"),
        }
    )
    register_keys({"role": _("角色"), "user": _("用户"), "union": _("工会"), "file": _("文件"),
                   "file_rows": _("行数")})  # fmt: skip
