"""The matching, staff adjustments before publishing, publishing and closing a season."""

import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.models import User
from hardship.notify import notify_families
from hardship.services import audit_record

from .. import explain, matching
from ..models import (
    Application,
    MatchRun,
    Placement,
    PlacementStatus,
    Position,
    Preference,
    Result,
    Season,
)
from ..workflow import application_workflow, season_workflow
from .common import (
    candidate_for,
    lock_season,
    opening_for,
)


def season_run_matching(*, actor: User, season_id: int, request=None) -> MatchRun:
    """Match the season's students to its positions (deferred acceptance), replacing any unpublished result.

    The result is checked independently before it is saved; a result that
    fails the check is not saved at all.
    """
    with transaction.atomic():
        season = lock_season(season_id)
        step = season_workflow.check(season, actor, "match")
        old_status, season.status = season.status, step.target
        positions = list(
            Position.objects.select_for_update(of=("self",))
            .select_related("enterprise")
            .filter(season=season)
            .order_by("pk")
        )
        Placement.objects.filter(season=season, status=PlacementStatus.PROPOSED).delete()
        applications = list(
            Application.objects.filter(season=season).select_related("household", "member").order_by("pk")
        )
        listed: dict[int, list[int]] = {a.pk: [] for a in applications}
        for application_id, position_id in (
            Preference.objects.filter(application__season=season)
            .order_by("application_id", "rank")
            .values_list("application_id", "position_id")
        ):
            listed[application_id].append(position_id)
        candidates = [candidate_for(a, season, listed[a.pk]) for a in applications]
        openings = [opening_for(p, season) for p in positions]

        started = time.perf_counter()
        outcomes = matching.deferred_acceptance(candidates, openings)
        seconds = time.perf_counter() - started
        assignment = {key: outcome.position for key, outcome in outcomes.items()}
        check = matching.verify(candidates, openings, assignment, season_min_age=season.min_age)
        if not check.ok:
            raise ValidationError(
                _("匹配结果未通过独立校验，未保存。请联系系统管理员。（%(p)s）") % {"p": check.problems[0]}
            )

        label = {p.pk: f"{p.enterprise.name}·{p.title}" for p in positions}
        rank_of = {c.key: c for c in candidates}
        new_placements, filled = [], dict.fromkeys(label, 0)
        for application in applications:
            candidate, outcome = rank_of[application.pk], outcomes[application.pk]
            detail: dict[str, Any] = {"group": candidate.group, "age": candidate.age, "min_age": season.min_age}
            if candidate.excluded:
                application.result, detail["excluded"] = Result.EXCLUDED, candidate.excluded
            else:
                detail["passed_over"] = [
                    {"rank": rank, "position": pk, "label": label.get(pk, "—"), "reason": reason}
                    for rank, pk, reason in outcome.passed_over
                ]
                if outcome.position is None:
                    application.result = Result.UNPLACED
                else:
                    application.result, detail["rank"] = Result.PLACED, outcome.rank
                    filled[outcome.position] += 1
                    new_placements.append(
                        Placement(
                            season=season,
                            application=application,
                            position_id=outcome.position,
                            preference_rank=outcome.rank,
                        )
                    )
            application.result_detail = detail
        for position in positions:
            position.filled = filled[position.pk]
        Position.objects.bulk_update(positions, ["filled"], batch_size=1000)
        Placement.objects.bulk_create(new_placements, batch_size=1000)
        Application.objects.bulk_update(applications, ["result", "result_detail"], batch_size=1000)
        season.save(update_fields=["status"])
        run = MatchRun.objects.create(
            season=season, run_by=actor, students=len(applications), positions=len(positions),
            placed=len(new_placements), seconds=Decimal(f"{seconds:.3f}"), verified=check.ok, problems=check.problems,
        )  # fmt: skip
        audit_record(
            actor=actor,
            verb="workstudy.season.match",
            target=season,
            changes={
                "status": (old_status, season.status),
                "students": (None, len(applications)),
                "placed": (None, len(new_placements)),
                "verified": (None, check.ok),
            },
            request=request,
        )
    return run


def _lock_for_adjustment(actor: User, application_id: int, action: str
                         ) -> tuple[Season, Application, Placement | None]:  # fmt: skip
    """Lock the season, then the application, and ask the workflow on them."""
    season_id = Application.objects.filter(pk=application_id).values_list("season_id", flat=True).first()
    if season_id is None:
        raise ValidationError(_("找不到该报名。"))
    season = lock_season(season_id)
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("household", "member").get(pk=application_id)
    )
    application.season = season
    application_workflow.check(application, actor, action)
    placement = Placement.objects.select_for_update().filter(application=application).first()
    return season, application, placement


def _lock_positions(season: Season, ids: set[int]) -> dict[int, Position]:
    positions = (
        Position.objects.select_for_update(of=("self",)).select_related("enterprise").filter(season=season, pk__in=ids)
    )
    return {p.pk: p for p in positions.order_by("pk")}


def placement_assign(*, actor: User, application_id: int, position_id: int, request=None) -> Placement:
    """Staff place a student at a position by hand (or move them), before publishing.

    Capacity and the age rules hold as for the matching; the tier order does not
    bind staff, and the result page marks the placement as adjusted by hand.
    """
    with transaction.atomic():
        season, application, placement = _lock_for_adjustment(actor, application_id, "assign")
        locked = _lock_positions(season, {position_id} | ({placement.position_id} if placement else set()))
        target = locked.get(position_id)
        if target is None:
            raise ValidationError(_("该岗位不属于本期。"))
        if placement and placement.position_id == target.pk:
            raise ValidationError(_("%(name)s 已安排在该岗位。") % {"name": application.name})
        listed = list(application.preferences.order_by("rank").values_list("position_id", flat=True))
        candidate = candidate_for(application, season, listed)  # taking part: the workflow's guard
        reason = matching.refusal(candidate, opening_for(target, season))
        if reason:
            raise ValidationError(
                _("不能安排到「%(label)s」：%(why)s。")
                % {"label": target, "why": explain.reason_text(reason, {"age": candidate.age})}
            )
        if target.filled >= target.places:
            raise ValidationError(
                _("「%(label)s」已满员（%(f)d/%(p)d），请先调出一名学生或选择其他岗位。")
                % {"label": target, "f": target.filled, "p": target.places}
            )
        rank = listed.index(target.pk) + 1 if target.pk in listed else None
        old_label = None
        if placement:
            source = locked[placement.position_id]
            old_label = str(source)
            source.filled -= 1
            source.save(update_fields=["filled"])
            placement.position, placement.preference_rank, placement.manual = target, rank, True
            placement.save(update_fields=["position", "preference_rank", "manual"])
        else:
            placement = Placement.objects.create(
                season=season, application=application, position=target, preference_rank=rank, manual=True
            )
        target.filled += 1
        target.save(update_fields=["filled"])
        application.result = Result.PLACED
        application.result_detail = {**application.result_detail, "manual": True, "rank": rank}
        application.save(update_fields=["result", "result_detail"])
        audit_record(
            actor=actor, verb="workstudy.placement.assign", target=application, union=season.union,
            changes={"position": (old_label, str(target))}, request=request,
        )  # fmt: skip
    return placement


def placement_unassign(*, actor: User, application_id: int, request=None) -> Application:
    """Staff take a student off their proposed position before publishing; the place is freed."""
    with transaction.atomic():
        season, application, placement = _lock_for_adjustment(actor, application_id, "unassign")
        if placement is None:
            raise ValidationError(_("%(name)s 目前没有安排。") % {"name": application.name})
        position = _lock_positions(season, {placement.position_id})[placement.position_id]
        position.filled -= 1
        position.save(update_fields=["filled"])
        placement.delete()  # a proposal nobody outside the centre has seen; the audit keeps it
        application.result = Result.UNPLACED
        application.result_detail = {**application.result_detail, "manual": True, "rank": None}
        application.save(update_fields=["result", "result_detail"])
        audit_record(
            actor=actor, verb="workstudy.placement.unassign", target=application, union=season.union,
            changes={"position": (str(position), None)}, request=request,
        )  # fmt: skip
    return application


def season_publish(*, actor: User, season_id: int, request=None) -> int:
    """Publish the season's result: enterprises now see their students and confirm them."""
    with transaction.atomic():
        season = lock_season(season_id)
        step = season_workflow.check(season, actor, "publish")
        old, season.status = season.status, step.target
        published = Placement.objects.filter(season=season, status=PlacementStatus.PROPOSED).update(
            status=PlacementStatus.PUBLISHED
        )
        season.published_at = timezone.now()
        season.save(update_fields=["status", "published_at"])
        audit_record(
            actor=actor, verb="workstudy.season.publish", target=season,
            changes={"status": (old, season.status), "placements": (None, published)}, request=request,
        )  # fmt: skip
        _tell_families(season)
    return published


def _tell_families(season) -> None:
    """Each hardship student's family reads the result (one message per application, after the commit)."""
    placed = {
        application_id: f"{enterprise}·{title}"
        for application_id, enterprise, title in Placement.objects.filter(season=season).values_list(
            "application_id", "position__enterprise__name", "position__title"
        )
    }
    rows = Application.objects.filter(season=season, household__isnull=False).values_list(
        "pk", "household_id", "member__name"
    )
    notify_families(events=[
        {"household_id": household_id, "event": "workstudy_result", "key": f"workstudy:{pk}",
         "context": {"student": name or "",
                     "result": _("被%(p)s录用，请在手机上确认") % {"p": placed[pk]} if pk in placed
                     else _("本期未安排岗位")}}
        for pk, household_id, name in rows
    ])  # fmt: skip


def season_close(*, actor: User, season_id: int, request=None) -> Season:
    """Close a season after the vacation; its records stay for the statistics."""
    with transaction.atomic():
        season = lock_season(season_id)
        step = season_workflow.check(season, actor, "close")
        old, season.status = season.status, step.target
        season.save(update_fields=["status"])
        audit_record(
            actor=actor,
            verb="workstudy.season.close",
            target=season,
            changes={"status": (old, season.status)},
            request=request,
        )
    return season
