"""关爱·圆梦's four state machines, each declared once (see hardship/workflow.py).

- The season: open for positions and applications (征集岗位与报名) → matched (可重新匹配, 人工调整) →
  published (enterprises see their students) → closed.
- The position: open ⇄ withdrawn; edited or withdrawn only before the result is published, withdrawn
  only with nobody placed at it.
- The application (its ``result``): placed by hand or taken off a position by centre staff between
  the matching and the publication; a student the matching leaves out cannot be placed by hand.
- The placement: published → confirmed by the enterprise (上岗) → completed with attendance and pay
  (which may be corrected: each correction is audited).

Who: centre staff and admins over the season's or the enterprise's union; an enterprise's own
logins for what the enterprise does (its positions and students) — ``WorkStudyWorkflow.holds``.
The matching itself moves applications and placements in bulk under the season's lock
(services/results.py); it is the season's ``match`` and ``publish``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Status as FileStatus
from cases.review.workflow import APPLICANT
from hardship.workflow import Transition, Workflow, register

from . import explain
from .models import (
    Application,
    Enterprise,
    Placement,
    PlacementStatus,
    Position,
    PositionStatus,
    Result,
    Season,
    SeasonStatus,
)
from .roles import CONTACTS, MANAGERS, contact_enterprise_ids

S, P, A, PL = SeasonStatus, PositionStatus, Result, PlacementStatus
CONTACT = CONTACTS[0]
# Positions and applications may change until the result is published.
SEASON_EDITABLE = (S.OPEN, S.MATCHED)


def my_enterprise_ids(user) -> set[int]:
    """The enterprises ``user`` is a login of (asked once per request: pages ask it for every row)."""
    cached = getattr(user, "_workstudy_enterprises_cache", None)
    if cached is None:
        cached = user._workstudy_enterprises_cache = set(contact_enterprise_ids(user))
    return cached


@dataclass
class WorkStudyWorkflow(Workflow):
    """Roles as usual (over the union); the enterprise-contact role held by being one of the enterprise's logins."""

    contact_of: Callable[[Any, Any], bool] = lambda obj, user: False
    # The family channel's worker (``is_worker``) holds ``APPLICANT`` where this says: their own household's.
    worker_of: Callable[[Any, Any], bool] = lambda obj, worker: False

    def holds(self, user, roles: tuple[str, ...], obj) -> bool:
        if getattr(user, "is_worker", False):
            return APPLICANT in roles and self.worker_of(obj, user)
        managed = tuple(r for r in roles if r != CONTACT)
        if managed and super().holds(user, managed, obj):
            return True
        return CONTACT in roles and self.contact_of(obj, user)


# Guards.


def results_not_published(season: Season, user) -> str | None:
    if season.status not in SEASON_EDITABLE:
        return _("%(season)s的匹配结果已发布（当前状态：%(status)s），岗位和报名不能再变动。") % {
            "season": season, "status": season.get_status_display()}  # fmt: skip
    return None


def _filed_household_within(season: Season, worker) -> bool:
    """A worker signs their household's students up for a season of their union or a union above it."""
    household = getattr(worker, "household", None)
    return household is not None and household.status == FileStatus.FILED and household.union.is_within(season.union)


def not_yet_accepted(placement: Placement, user) -> str | None:
    if placement.student_accepted_at is not None:
        return _("已于 %(d)s 确认。") % {"d": placement.student_accepted_at.date()}
    return None


def position_season_editable(position: Position, user) -> str | None:
    return results_not_published(position.season, user)


def nobody_placed(position: Position, user) -> str | None:
    if position.filled:
        return _("该岗位已拟安排 %(n)d 名学生，请先在匹配结果中调出学生再撤回。") % {"n": position.filled}
    return None


def season_matched(application: Application, user) -> str | None:
    season = application.season
    if season.status != S.MATCHED:
        return _("只有在运行匹配之后、发布之前才能人工调整（当前状态：%(s)s）。") % {"s": season.get_status_display()}
    return None


def takes_part(application: Application, user) -> str | None:
    """A student the matching leaves out (not filed, not a student, under age, no preference) is not placed by hand."""
    # Here, not at the top, for a cycle: the services (whose package holds candidate_for) import this module.
    from .services.common import candidate_for

    listed = list(application.preferences.order_by("rank").values_list("position_id", flat=True))
    candidate = candidate_for(application, application.season, listed)
    if candidate.excluded:
        why = explain.reason_text(candidate.excluded, {"age": candidate.age, "min_age": application.season.min_age})
        return _("%(name)s 不参加本期匹配：%(why)s。") % {"name": application.name, "why": why}
    return None


def _has_enterprise_in(season: Season, user) -> bool:
    ids = my_enterprise_ids(user)
    if not ids:
        return False
    return Enterprise.objects.filter(pk__in=ids, is_active=True, union__path__startswith=season.union.path).exists()


T = Transition
season_workflow = register(
    WorkStudyWorkflow(
        "workstudy_season",
        model=Season,
        subject=gettext_lazy("该假期"),
        contact_of=_has_enterprise_in,
        worker_of=_filed_household_within,
        transitions=[
            T("register", gettext_lazy("登记报名"), tuple(S.values), None, MANAGERS, guards=(results_not_published,)),
            # A filed household's worker signs up their own student from the family channel.
            T("family_register", gettext_lazy("学生自助报名"), tuple(S.values), None, (APPLICANT,),
              guards=(results_not_published,)),
            T("post_position", gettext_lazy("发布岗位"), tuple(S.values), None, (*MANAGERS, CONTACT),
              guards=(results_not_published,)),
            # Matching may be run again until the result is published.
            T("match", gettext_lazy("运行匹配"), SEASON_EDITABLE, S.MATCHED, MANAGERS),
            T("publish", gettext_lazy("发布"), (S.MATCHED,), S.PUBLISHED, MANAGERS),
            T("close", gettext_lazy("结束"), (S.PUBLISHED,), S.CLOSED, MANAGERS),
        ],
    )
)  # fmt: skip

position_workflow = register(
    WorkStudyWorkflow(
        "workstudy_position",
        model=Position,
        subject=gettext_lazy("该岗位"),
        union=lambda position: position.enterprise.union,
        union_field="enterprise__union",
        contact_of=lambda position, user: position.enterprise_id in my_enterprise_ids(user),
        transitions=[
            T("edit", gettext_lazy("编辑"), (P.OPEN,), None, (*MANAGERS, CONTACT), guards=(position_season_editable,)),
            T("withdraw", gettext_lazy("撤回岗位"), (P.OPEN,), P.WITHDRAWN, (*MANAGERS, CONTACT),
              guards=(position_season_editable, nobody_placed)),
        ],
    )
)  # fmt: skip

application_workflow = register(
    WorkStudyWorkflow(
        "workstudy_application",
        model=Application,
        subject=gettext_lazy("该报名"),
        state_field="result",
        union=lambda application: application.season.union,
        union_field="season__union",
        transitions=[
            T("assign", gettext_lazy("人工安排"), tuple(A.values), A.PLACED, MANAGERS,
              guards=(season_matched, takes_part)),
            T("unassign", gettext_lazy("取消安排"), (A.PLACED,), A.UNPLACED, MANAGERS, guards=(season_matched,)),
        ],
    )
)  # fmt: skip

placement_workflow = register(
    WorkStudyWorkflow(
        "workstudy_placement",
        model=Placement,
        subject=gettext_lazy("该学生的安排"),
        union=lambda placement: placement.position.enterprise.union,
        union_field="position__enterprise__union",
        contact_of=lambda placement, user: placement.position.enterprise_id in my_enterprise_ids(user),
        worker_of=lambda placement, worker: worker.household_id is not None
        and placement.application.household_id == worker.household_id,
        transitions=[
            T("confirm", gettext_lazy("确认上岗"), (PL.PUBLISHED,), PL.CONFIRMED, (*MANAGERS, CONTACT)),
            # The student's family accepts the published position (the enterprise then confirms 上岗).
            T("student_accept", gettext_lazy("学生确认岗位"), (PL.PUBLISHED,), None, (APPLICANT,),
              guards=(not_yet_accepted,)),
            # Earnings may be corrected after they were first recorded (each correction is audited).
            T("record_earnings", gettext_lazy("登记报酬"), (PL.CONFIRMED, PL.COMPLETED), PL.COMPLETED,
              (*MANAGERS, CONTACT)),
        ],
    )
)  # fmt: skip
