"""What every work-study service shares: money, the tier order, guards, locks and the matching inputs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from cases.models import Status, Tier, WorkStatus
from hardship.access import user_has_role
from hardship.dates import age_on
from hardship.models import Union, User

from .. import explain, matching
from ..models import (
    Application,
    ApplicationKind,
    Enterprise,
    Position,
    PositionStatus,
    SafetyClass,
    Season,
)
from ..roles import MANAGERS, contact_enterprise_ids, manages

# Matching order: 特困, 深度, 相对, then every other filed household (意外致困 …), 优秀学生 last.
TIER_GROUP = {Tier.EXTREME: 0, Tier.DEEP: 1, Tier.RELATIVE: 2}
OTHER_GROUP, OUTSTANDING_GROUP = 3, 4
ENTERPRISE_FIELDS = (
    "name", "credit_code", "address", "contact_name", "contact_phone", "agreement_signed_on", "agreement_number",
    "insurer", "insurance_policy", "insurance_valid_from", "insurance_valid_until", "is_active",
)  # fmt: skip
POSITION_FIELDS = (
    "title", "place", "places", "pay", "hours_per_day", "safety_class", "min_age", "school_levels",
    "field_of_study", "description",
)  # fmt: skip
MINOR_MAX_HOURS = 8


def group_of(application: Application) -> int:
    if application.kind == ApplicationKind.OUTSTANDING:
        return OUTSTANDING_GROUP
    return TIER_GROUP.get(application.household.tier, OTHER_GROUP)


# ---------------------------------------------------------------- guards


def require_manager(actor: User, union: Union) -> None:
    if not user_has_role(actor, *MANAGERS):
        raise PermissionDenied(_("只有帮扶中心工作人员可以进行此操作。"))
    if not manages(actor, union):
        raise PermissionDenied(_("该工会不在您的辖区内。"))


def require_for_enterprise(actor: User, enterprise: Enterprise) -> None:
    """The enterprise's own contact, or centre staff over its union, may act for it."""
    if enterprise.pk in contact_enterprise_ids(actor) or manages(actor, enterprise.union):
        return
    raise PermissionDenied(_("您不能代表该企业操作。"))


def lock_season(season_id: int) -> Season:
    try:
        return Season.objects.select_for_update(of=("self",)).select_related("union").get(pk=season_id)
    except Season.DoesNotExist as exc:
        raise ValidationError(_("找不到该假期。")) from exc


def age_at_start(application: Application, season: Season) -> int:
    birth = application.member.birth_date if application.member_id else application.birth_date
    return age_on(birth, season.starts_on)


def opening_for(position: Position, season: Season) -> matching.Opening:
    return matching.Opening(
        key=position.pk,
        places=position.places,
        min_age=position.effective_min_age(season),
        adults_only=position.safety_class == SafetyClass.ADULTS_ONLY,
        school_levels=frozenset(position.school_levels or ()),
        available=position.status == PositionStatus.OPEN and position.season_id == season.pk,
    )


def exclusion_for(application: Application, age: int, season: Season, preferences: list[int]) -> str:
    if application.kind == ApplicationKind.HARDSHIP:
        member, household = application.member, application.household
        if household.status != Status.FILED:
            return explain.NOT_FILED
        if member.removed or not member.is_live or member.work_status != WorkStatus.STUDENT:
            return explain.NOT_STUDENT
    if age < season.min_age:
        return explain.UNDER_AGE
    if not preferences:
        return explain.NO_PREFERENCES
    return ""


def candidate_for(application: Application, season: Season, preferences: list[int]) -> matching.Candidate:
    age = age_at_start(application, season)
    level = application.member.school_level if application.member_id else application.school_level
    return matching.Candidate(
        key=application.pk,
        group=group_of(application),
        lottery=matching.lottery(f"season-{season.pk}", application.pk),
        age=age,
        school_level=level,
        preferences=preferences,
        excluded=exclusion_for(application, age, season, preferences),
    )
