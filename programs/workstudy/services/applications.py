"""Students apply: filed hardship households' students, and outstanding students."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import Household, Member, Status, WorkStatus
from hardship.dates import age_on
from hardship.identity import parse_id_number
from hardship.models import Union, User
from hardship.services import audit_record

from .. import explain, matching
from ..models import (
    Application,
    ApplicationKind,
    Position,
    Preference,
    Season,
)
from ..roles import manages
from ..workflow import season_workflow
from .common import (
    lock_season,
    opening_for,
    require_manager,
)


def _check_preferences(season: Season, position_ids: list[int], age: int, school_level: str) -> list[Position]:
    ids = [int(p) for p in position_ids if p]
    if not ids:
        raise ValidationError(_("请至少填报 1 个志愿。"))
    if len(ids) > matching.MAX_PREFERENCES:
        raise ValidationError(_("最多填报 %(n)d 个志愿。") % {"n": matching.MAX_PREFERENCES})
    if len(set(ids)) != len(ids):
        raise ValidationError(_("同一个岗位不能重复填报。"))
    positions = {p.pk: p for p in Position.objects.filter(season=season, pk__in=ids).select_related("enterprise")}
    candidate = matching.Candidate(key=0, group=0, lottery=0, age=age, school_level=school_level, preferences=ids)
    errors = []
    for rank, pk in enumerate(ids, start=1):
        position = positions.get(pk)
        reason = matching.refusal(candidate, opening_for(position, season) if position else None)
        if reason:
            label = str(position) if position else _("（不存在）")
            errors.append(
                _("第 %(rank)d 志愿「%(label)s」：%(why)s。")
                % {"rank": rank, "label": label, "why": explain.reason_text(reason, {"age": age})}
            )
    if errors:
        raise ValidationError(errors)
    return [positions[pk] for pk in ids]


def _save_application(application: Application, positions: list[Position], actor: User, request) -> Application:
    if Application.objects.filter(season=application.season, id_number=application.id_number).exists():
        raise ValidationError(_("%(name)s 已报名本期勤工助学。") % {"name": application.name})
    try:
        with transaction.atomic():
            application.save(force_insert=True)
    except IntegrityError as exc:  # two staff registered the same student at the same moment
        raise ValidationError(_("%(name)s 已报名本期勤工助学。") % {"name": application.name}) from exc
    Preference.objects.bulk_create(
        Preference(application=application, position=p, rank=rank) for rank, p in enumerate(positions, start=1)
    )
    audit_record(
        actor=actor,
        verb="workstudy.application.register",
        target=application,
        changes={
            "kind": (None, application.kind),
            "id_number": (None, application.id_number),
            "preferences": (None, [p.pk for p in positions]),
        },
        request=request,
    )
    return application


@dataclass
class StudentDetails:
    school_name: str = ""
    major: str = ""
    phone: str = ""


def application_register(
    *, actor: User, season_id: int, member_id: int, details: StudentDetails, preferences: list[int], request=None
) -> Application:
    """Register a student of a filed hardship household for the season, with up to five ranked positions."""
    with transaction.atomic():
        season = lock_season(season_id)
        season_workflow.check(season, actor, "register")
        member = _live_member(member_id)
        household: Household = member.household
        if not manages(actor, household.union) or not household.union.is_within(season.union):
            raise PermissionDenied(_("该家庭不在您和本期组织工会的共同辖区内。"))
        return _register_hardship_student(season, member, details, preferences, actor, request)


def application_register_by_family(
    *, worker, season_id: int, member_id: int, details: StudentDetails, preferences: list[int], request=None
) -> Application:
    """A filed household's worker signs their own student up from the family channel (关爱·圆梦), under the
    same rules as staff registration (filed, a student, old enough on the season's start, ≤ 5 positions)."""
    with transaction.atomic():
        season = lock_season(season_id)
        season_workflow.check(season, worker, "family_register")
        member = _live_member(member_id)
        if member.household_id != worker.household_id:
            raise ValidationError(_("找不到该学生，或其已不在家庭档案中。"))
        return _register_hardship_student(season, member, details, preferences, None, request)


def _live_member(member_id: int) -> Member:
    member = Member.objects.select_related("household__union").filter(pk=member_id).first()
    if member is None or member.removed or not member.is_live:
        raise ValidationError(_("找不到该学生，或其已不在家庭档案中。"))
    return member


def _register_hardship_student(season, member, details, preferences, actor, request) -> Application:
    """The checks every registration of a filed household's student goes through, then the row."""
    household = member.household
    if household.status != Status.FILED:
        raise ValidationError(
            _("只有已建档家庭的学生可以报名；该家庭档案当前为“%(s)s”。") % {"s": household.get_status_display()}
        )
    if member.work_status != WorkStatus.STUDENT:
        raise ValidationError(_("%(name)s 在家庭档案中不是在校学生。") % {"name": member.name})
    age = age_on(member.birth_date, season.starts_on)
    if age < season.min_age:
        raise ValidationError(
            _("%(name)s 未满 %(min)d 周岁：本期开始日（%(d)s）时 %(age)d 周岁。")
            % {"name": member.name, "min": season.min_age, "d": season.starts_on, "age": age}
        )
    positions = _check_preferences(season, preferences, age, member.school_level)
    application = Application(
        season=season, kind=ApplicationKind.HARDSHIP, member=member, household=household, union=household.union,
        name=member.name, id_number=member.id_number, sex=member.sex, birth_date=member.birth_date,
        school_level=member.school_level, school_name=details.school_name.strip(), major=details.major.strip(),
        phone=details.phone.strip() or household.phone, registered_by=actor,
    )  # fmt: skip
    return _save_application(application, positions, actor, request)


def application_register_outstanding(
    *,
    actor: User,
    season_id: int,
    union: Union,
    name: str,
    id_number: str,
    school_level: str,
    details: StudentDetails,
    preferences: list[int],
    request=None,
) -> Application:
    """Register an outstanding student (优秀学生) from outside the files; matched after hardship students."""
    parsed = parse_id_number(id_number)
    with transaction.atomic():
        season = lock_season(season_id)
        season_workflow.check(season, actor, "register")
        require_manager(actor, union)
        if not union.is_within(season.union):
            raise PermissionDenied(_("报名工会不在本期组织工会的辖区内。"))
        if Member.objects.filter(id_number=parsed.number, is_live=True, household__status=Status.FILED).exists():
            raise ValidationError(_("该学生在已建档的困难职工家庭中，请按“困难职工家庭学生”报名，以便优先安排。"))
        age = age_on(parsed.birth_date, season.starts_on)
        if age < season.min_age:
            raise ValidationError(
                _("%(name)s 未满 %(min)d 周岁：本期开始日（%(d)s）时 %(age)d 周岁。")
                % {"name": name, "min": season.min_age, "d": season.starts_on, "age": age}
            )
        positions = _check_preferences(season, preferences, age, school_level)
        application = Application(
            season=season, kind=ApplicationKind.OUTSTANDING, union=union, name=name.strip(), id_number=parsed.number,
            sex=parsed.sex, birth_date=parsed.birth_date, school_level=school_level,
            school_name=details.school_name.strip(), major=details.major.strip(), phone=details.phone.strip(),
            registered_by=actor,
        )  # fmt: skip
        return _save_application(application, positions, actor, request)
