"""At the enterprise: confirming a student and recording attendance and earnings."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.dates import age_on
from hardship.models import User
from hardship.money import money
from hardship.services import audit_record

from .. import matching
from ..models import (
    Placement,
)
from ..workflow import placement_workflow


def _lock_placement(placement_id: int) -> Placement:
    try:
        return (
            Placement.objects.select_for_update(of=("self",))
            .select_related("season__union", "position__enterprise__union", "application")
            .get(pk=placement_id)
        )
    except Placement.DoesNotExist as exc:
        raise ValidationError(_("找不到该安排。")) from exc


def placement_accept_by_family(*, worker, placement_id: int, request=None) -> Placement:
    """The student's family accepts the published position from the family channel; the enterprise confirms 上岗."""
    with transaction.atomic():
        placement = _lock_placement(placement_id)
        placement_workflow.check(placement, worker, "student_accept")
        placement.student_accepted_at = timezone.now()
        placement.save(update_fields=["student_accepted_at"])
        audit_record(actor=None, verb="worker.workstudy_confirm", target=placement, request=request,
                     union=placement.position.enterprise.union,
                     changes={"student_accepted_at": (None, placement.student_accepted_at.isoformat())})  # fmt: skip
    return placement


def placement_confirm(
    *, actor: User, placement_id: int, starts_on: date, ends_on: date, health_checked: bool = False, request=None
) -> Placement:
    """The enterprise confirms the student will work from ``starts_on`` to ``ends_on``.

    The enterprise must have signed the agreement and insured the student for
    those dates; a 16–17-year-old needs the pre-work health check (未成年工体检).
    """
    with transaction.atomic():
        placement = _lock_placement(placement_id)
        season, enterprise = placement.season, placement.position.enterprise
        step = placement_workflow.check(placement, actor, "confirm")
        old, placement.status = placement.status, step.target
        if not (season.starts_on <= starts_on <= ends_on <= season.ends_on):
            raise ValidationError(
                _("上岗和结束日期应在本期 %(a)s 至 %(b)s 之间，且结束不早于上岗。")
                % {"a": season.starts_on, "b": season.ends_on}
            )
        age = age_on(placement.application.birth_date, starts_on)
        if age < matching.ADULT_AGE and not health_checked:
            raise ValidationError(
                _("%(name)s 上岗时 %(age)d 周岁，未成年学生上岗前须完成健康检查，请确认后勾选。")
                % {"name": placement.application.name, "age": age}
            )
        if enterprise.agreement_signed_on is None:
            raise ValidationError(_("企业尚未登记合作协议，请联系帮扶中心登记后再确认。"))
        if not enterprise.insurance_covers(starts_on, ends_on):
            raise ValidationError(
                _("企业为学生投保的保险未覆盖上岗期间（现登记：%(a)s 至 %(b)s），请联系帮扶中心更新保险信息。")
                % {"a": enterprise.insurance_valid_from or "—", "b": enterprise.insurance_valid_until or "—"}
            )
        placement.starts_on, placement.ends_on, placement.health_checked = starts_on, ends_on, health_checked
        placement.confirmed_by, placement.confirmed_at = actor, timezone.now()
        placement.save(
            update_fields=["status", "starts_on", "ends_on", "health_checked", "confirmed_by", "confirmed_at"]
        )
        audit_record(
            actor=actor, verb="workstudy.placement.confirm", target=placement, union=season.union,
            changes={"status": (old, placement.status), "starts_on": (None, starts_on), "ends_on": (None, ends_on)},
            request=request,
        )  # fmt: skip
    return placement


def placement_record_earnings(
    *,
    actor: User,
    placement_id: int,
    days_attended: int,
    earnings: Decimal | str,
    evaluation: str = "",
    early_hire: bool = False,
    request=None,
) -> Placement:
    """Record attendance, the pay the student received, a short evaluation and any early hire (提前录用).

    May be corrected later; every version is in the audit log.
    """
    earnings = money(earnings)
    evaluation = (evaluation or "").strip()
    with transaction.atomic():
        placement = _lock_placement(placement_id)
        step = placement_workflow.check(placement, actor, "record_earnings")
        old_status, placement.status = placement.status, step.target
        period = placement.period_days or 0
        if not 0 <= days_attended <= period:
            raise ValidationError(_("出勤天数应在 0 至 %(n)d 天之间（上岗期间共 %(n)d 天）。") % {"n": period})
        if earnings < 0:
            raise ValidationError(_("报酬不能为负数。"))
        if days_attended == 0 and earnings > 0:
            raise ValidationError(_("出勤 0 天时报酬应为 0 元。"))
        if days_attended and earnings / days_attended > 1000:
            raise ValidationError(_("日均报酬超过 1000 元，请核对金额（单位：元）。"))
        if len(evaluation) > 200:
            raise ValidationError(_("评价请控制在 200 字以内。"))
        values = {
            "days_attended": days_attended,
            "earnings": earnings,
            "evaluation": evaluation,
            "early_hire": early_hire,
        }
        changes = {f: (getattr(placement, f), v) for f, v in values.items() if getattr(placement, f) != v}
        if old_status != placement.status:
            changes["status"] = (old_status, placement.status)
        for field, value in values.items():
            setattr(placement, field, value)
        placement.save(update_fields=[*values, "status"])
        audit_record(
            actor=actor, verb="workstudy.placement.earnings", target=placement, union=placement.season.union,
            changes=changes, request=request,
        )  # fmt: skip
    return placement
