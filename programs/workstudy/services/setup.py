"""Caring enterprises, seasons and positions."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hardship.access import user_has_role
from hardship.models import Role, Union, User
from hardship.money import money
from hardship.services import audit_record

from .. import explain, matching
from ..models import (
    Enterprise,
    Position,
    Season,
)
from ..workflow import position_workflow, season_workflow
from .common import (
    ENTERPRISE_FIELDS,
    MINOR_MAX_HOURS,
    POSITION_FIELDS,
    age_at_start,
    candidate_for,
    lock_season,
    opening_for,
    require_for_enterprise,
    require_manager,
)

# ---------------------------------------------------------------- enterprises and seasons


def _check_contacts(contacts: list[User]) -> None:
    without_role = [u.display_name for u in contacts if not user_has_role(u, Role.ENTERPRISE_CONTACT)]
    if without_role:
        raise ValidationError(
            _("账号 %(names)s 没有“爱心企业联系人”角色，请先在系统管理中授予。") % {"names": "、".join(without_role)}
        )


def _check_enterprise_data(data: dict[str, Any], exclude_pk: int | None = None) -> None:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationError(_("请填写企业名称。"))
    if Enterprise.objects.filter(name=name).exclude(pk=exclude_pk).exists():
        raise ValidationError(_("已有名为“%(name)s”的爱心企业。") % {"name": name})
    start, end = data.get("insurance_valid_from"), data.get("insurance_valid_until")
    if start and end and end < start:
        raise ValidationError(_("保险止期不能早于起期。"))


def enterprise_create(
    *, actor: User, union: Union, data: dict[str, Any], contacts: list[User] = (), request=None
) -> Enterprise:
    """Register a caring enterprise (爱心企业) under ``union`` with its agreement, insurance and logins."""
    require_manager(actor, union)
    _check_enterprise_data(data)
    _check_contacts(list(contacts))
    with transaction.atomic():
        try:
            with transaction.atomic():
                enterprise = Enterprise.objects.create(
                    union=union, **{f: data[f] for f in ENTERPRISE_FIELDS if f in data}
                )
        except IntegrityError as exc:  # registered by someone else a moment ago
            raise ValidationError(_("已有名为“%(name)s”的爱心企业。") % {"name": data["name"]}) from exc
        enterprise.contacts.set(contacts)
        audit_record(
            actor=actor,
            verb="workstudy.enterprise.create",
            target=enterprise,
            changes={"name": (None, enterprise.name), "contacts": (None, ", ".join(u.username for u in contacts))},
            request=request,
        )
    return enterprise


def enterprise_update(
    *, actor: User, enterprise_id: int, data: dict[str, Any], contacts: list[User] | None = None, request=None
) -> Enterprise:
    """Change an enterprise's details, agreement, insurance or logins."""
    with transaction.atomic():
        enterprise = Enterprise.objects.select_for_update(of=("self",)).select_related("union").get(pk=enterprise_id)
        require_manager(actor, enterprise.union)
        _check_enterprise_data({**{f: getattr(enterprise, f) for f in ENTERPRISE_FIELDS}, **data}, enterprise.pk)
        changes = {}
        for field in ENTERPRISE_FIELDS:
            if field in data and data[field] != getattr(enterprise, field):
                changes[field] = (getattr(enterprise, field), data[field])
                setattr(enterprise, field, data[field])
        if changes:
            enterprise.save(update_fields=list(changes))
        if contacts is not None:
            _check_contacts(list(contacts))
            before = sorted(enterprise.contacts.values_list("username", flat=True))
            after = sorted(u.username for u in contacts)
            if before != after:
                enterprise.contacts.set(contacts)
                changes["contacts"] = (", ".join(before), ", ".join(after))
        audit_record(
            actor=actor, verb="workstudy.enterprise.update", target=enterprise, changes=changes, request=request
        )
    return enterprise


def season_create(
    *,
    actor: User,
    union: Union,
    year: int,
    term: str,
    starts_on: date,
    ends_on: date,
    min_age: int = 16,
    note: str = "",
    request=None,
) -> Season:
    """Open a vacation (寒假 / 暑假) for positions and applications."""
    require_manager(actor, union)
    if ends_on <= starts_on:
        raise ValidationError(_("结束日期必须晚于开始日期。"))
    if not 16 <= min_age <= 30:
        raise ValidationError(_("最低年龄应在 16 至 30 周岁之间（不得招用未满 16 周岁的未成年人）。"))
    if Season.objects.filter(union=union, year=year, term=term).exists():
        raise ValidationError(_("%(union)s %(year)s 年的这个假期已经建立。") % {"union": union.name, "year": year})
    with transaction.atomic():
        try:
            with transaction.atomic():
                season = Season.objects.create(
                    union=union, year=year, term=term, starts_on=starts_on, ends_on=ends_on, min_age=min_age,
                    note=note, created_by=actor,
                )  # fmt: skip
        except IntegrityError as exc:  # created by someone else a moment ago
            raise ValidationError(
                _("%(union)s %(year)s 年的这个假期已经建立。") % {"union": union.name, "year": year}
            ) from exc
        audit_record(
            actor=actor,
            verb="workstudy.season.create",
            target=season,
            changes={"season": (None, str(season)), "min_age": (None, min_age)},
            request=request,
        )
    return season


# ---------------------------------------------------------------- positions


def _clean_position_data(data: dict[str, Any]) -> dict[str, Any]:
    data = {f: data[f] for f in POSITION_FIELDS if f in data}
    if "pay" in data:
        data["pay"] = money(data["pay"])
        if data["pay"] < 0:
            raise ValidationError(_("报酬不能为负数。"))
    if data.get("places") is not None and data["places"] < 1:
        raise ValidationError(_("招收人数至少为 1 人。"))
    if data.get("min_age") is not None and not 16 <= data["min_age"] <= 30:
        raise ValidationError(_("岗位最低年龄应在 16 至 30 周岁之间。"))
    hours = data.get("hours_per_day")
    if hours is not None and not 1 <= hours <= 12:
        raise ValidationError(_("每日工作时长应在 1 至 12 小时之间。"))
    return data


def _check_minor_hours(position: Position, season: Season) -> None:
    # 未成年工 may not work long days: a position open to 16–17-year-olds keeps to 8 hours.
    if position.effective_min_age(season) < matching.ADULT_AGE and position.hours_per_day > MINOR_MAX_HOURS:
        raise ValidationError(
            _("招收未成年人的岗位每日工作时间不得超过 %(h)d 小时；请缩短工时，或将安全类别设为“不招收未成年人”。")
            % {"h": MINOR_MAX_HOURS}
        )


def position_create(*, actor: User, season_id: int, enterprise_id: int, data: dict[str, Any], request=None) -> Position:
    """An enterprise (or centre staff for it) offers a position in a season."""
    data = _clean_position_data(data)
    with transaction.atomic():
        season = lock_season(season_id)
        season_workflow.check(season, actor, "post_position")
        enterprise = Enterprise.objects.select_related("union").get(pk=enterprise_id)
        require_for_enterprise(actor, enterprise)
        if not enterprise.is_active:
            raise ValidationError(_("该企业已停止合作，不能发布岗位。"))
        if not enterprise.union.is_within(season.union):
            raise ValidationError(_("该企业不在%(union)s的辖区内，不能参加本期。") % {"union": season.union.name})
        position = Position(season=season, enterprise=enterprise, created_by=actor, **data)
        _check_minor_hours(position, season)
        position.save(force_insert=True)
        audit_record(
            actor=actor,
            verb="workstudy.position.create",
            target=position,
            union=season.union,
            changes={f: (None, v) for f, v in data.items() if f != "description"},
            request=request,
        )
    return position


def _lock_position(position_id: int) -> tuple[Season, Position]:
    """The season first, then the position (the lock order of every work-study action)."""
    season = lock_season(Position.objects.values_list("season_id", flat=True).get(pk=position_id))
    position = Position.objects.select_for_update(of=("self",)).select_related("enterprise__union").get(pk=position_id)
    position.season = season  # the locked row: the workflow asks the season's state on it
    return season, position


def position_update(*, actor: User, position_id: int, data: dict[str, Any], request=None) -> Position:
    """Change a position before the result is published; students already placed there must still fit."""
    data = _clean_position_data(data)
    with transaction.atomic():
        season, position = _lock_position(position_id)
        position_workflow.check(position, actor, "edit")
        changes = {f: (getattr(position, f), v) for f, v in data.items() if getattr(position, f) != v}
        for field, (_old, new) in changes.items():
            setattr(position, field, new)
        if position.places < position.filled:
            raise ValidationError(
                _("该岗位已拟安排 %(n)d 名学生，招收人数不能少于 %(n)d。请先在匹配结果中调出学生。")
                % {"n": position.filled}
            )
        _check_minor_hours(position, season)
        opening = opening_for(position, season)
        for placement in position.placements.select_related("application__household", "application__member"):
            reason = matching.refusal(candidate_for(placement.application, season, []), opening)
            if reason:
                raise ValidationError(
                    _("已拟安排的学生 %(name)s 不符合修改后的条件（%(why)s），请先在匹配结果中调整。")
                    % {
                        "name": placement.application.name,
                        "why": explain.reason_text(reason, {"age": age_at_start(placement.application, season)}),
                    }
                )
        if changes:
            position.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            verb="workstudy.position.update",
            target=position,
            union=season.union,
            changes={f: c for f, c in changes.items() if f != "description"},
            request=request,
        )
    return position


def position_withdraw(*, actor: User, position_id: int, request=None) -> Position:
    """Withdraw a position nobody is placed at; students who listed it are told it was withdrawn."""
    with transaction.atomic():
        season, position = _lock_position(position_id)
        step = position_workflow.check(position, actor, "withdraw")
        old, position.status = position.status, step.target
        position.save(update_fields=["status"])
        audit_record(
            actor=actor, verb="workstudy.position.withdraw", target=position, union=season.union,
            changes={"status": (old, position.status)}, request=request,
        )  # fmt: skip
    return position
