"""Writes of help beyond cash: each one action, checked against the actor's scope, audited."""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.access import root_unions, scope_unions
from hardship.services import audit_record

from ..models import Household, Member
from ..services.households import FILE_EDITORS
from .models import (
    CLAIM_CAP,
    FIRST_COVER_YEAR,
    LAST_COVER_YEAR,
    LOAN_CAP,
    HelpKind,
    MutualCoverClaim,
    MutualCoverEnrolment,
    MutualCoverPlan,
    NonCashHelp,
    StartupLoan,
)

# Who records help on a file: the staff who work with the household (observers only read).
HELP_RECORDERS = ("centre_staff", "grassroots_staff")
# 互助保障 enrolments and claims are part of the file: whoever may edit household files records them.
COVER_RECORDERS = FILE_EDITORS
# How many past cover years may still be entered (an older file being built, a late claim).
COVER_YEARS_BACK = 5


def can_record_help(user, household: Household) -> bool:
    """For the page: the user's role unions are cached on the user, so this asks the database nothing."""
    return _holds_role_over(user, household, HELP_RECORDERS)


def can_record_cover(user, household: Household) -> bool:
    """For the page, like can_record_help: no query."""
    return _holds_role_over(user, household, COVER_RECORDERS)


def _holds_role_over(user, household: Household, roles) -> bool:
    path = household.union.path
    return any(path.startswith(union.path) for union in root_unions(user, roles))


def _check_in_scope(actor, household: Household, roles=HELP_RECORDERS) -> None:
    if not scope_unions(actor, roles).filter(pk=household.union_id).exists():
        raise PermissionDenied


@transaction.atomic
def help_record(
    *,
    actor,
    household: Household,
    kind: str,
    given_on: date,
    mentor_name: str = "",
    goods_value: Decimal | None = None,
    note: str = "",
    request=None,
) -> NonCashHelp:
    """Record non-cash help given to the household (a job referral, a course, a mentor, goods …)."""
    _check_in_scope(actor, household)
    if kind == HelpKind.MENTORING and not mentor_name.strip():
        raise ValidationError({"mentor_name": _("结对帮扶须填写结对人。")})
    if kind == HelpKind.GOODS and goods_value is None:
        raise ValidationError({"goods_value": _("物资慰问须填写物资价值。")})
    help_ = NonCashHelp.objects.create(
        household=household, kind=kind, given_on=given_on, mentor_name=mentor_name.strip(),
        goods_value=goods_value if kind == HelpKind.GOODS else None, note=note, recorded_by=actor,
    )  # fmt: skip
    audit_record(
        actor=actor,
        verb="support.help",
        target=household,
        changes={"help": (None, f"{help_.get_kind_display()} {given_on:%Y-%m-%d}")},
        request=request,
    )
    return help_


@transaction.atomic
def loan_record(*, actor, household: Household, amount: Decimal, start_date: date, lender: str = "") -> StartupLoan:
    """Put a 创业贷 on the file; the union subsidises its interest (up to 300,000 元)."""
    _check_in_scope(actor, household)
    if not (Decimal("0") < amount <= LOAN_CAP):
        raise ValidationError({"amount": _("创业贷金额须大于 0 且不超过 300,000 元。")})
    loan = StartupLoan.objects.create(
        household=household, amount=amount, start_date=start_date, lender=lender, recorded_by=actor
    )
    audit_record(actor=actor, verb="support.loan", target=household, changes={"loan": (None, str(amount))})
    return loan


def _lock_household(household_id: int) -> Household:
    return Household.objects.select_for_update(of=("self",)).select_related("union").get(pk=household_id)


def _check_cover_year(year: int) -> None:
    # Past years are entered when an older file is built; next year's enrolment opens before January.
    this_year = timezone.localdate().year
    first, last = max(this_year - COVER_YEARS_BACK, FIRST_COVER_YEAR), min(this_year + 1, LAST_COVER_YEAR)
    if not first <= year <= last:
        message = _("参保年度须在 %(first)s 至 %(last)s 年之间。") % {"first": first, "last": last}
        raise ValidationError({"year": message})


@transaction.atomic
def mutual_cover_enrol(
    *, actor, household: Household, members: Sequence[Member], plan: MutualCoverPlan, year: int, request=None
) -> list[MutualCoverEnrolment]:
    """Enrol members of the household in a 职工互助保障 plan for a cover year (once per member, plan and year).

    All or nothing: when one of them is already enrolled, nobody is, and the message names them.
    """
    _check_in_scope(actor, household, COVER_RECORDERS)
    # The file's row lock puts two enrolments of the same family one after the other.
    household = _lock_household(household.pk)
    if not members:
        raise ValidationError({"members": _("请选择参保的家庭成员。")})
    if any(m.household_id != household.pk or m.removed for m in members):
        raise ValidationError({"members": _("只能为本档案在档的家庭成员办理参保。")})
    _check_cover_year(year)
    enrolled = MutualCoverEnrolment.objects.filter(member__in=members, plan=plan, year=year)
    names = "、".join(e.member.name for e in enrolled.select_related("member").order_by("member__position"))
    if names:
        raise ValidationError(
            {"members": _("%(names)s 已参加 %(year)s 年度“%(plan)s”，不能重复参保。")
             % {"names": names, "year": year, "plan": plan.name}}
        )  # fmt: skip
    try:
        with transaction.atomic():
            enrolments = MutualCoverEnrolment.objects.bulk_create(
                MutualCoverEnrolment(member=m, plan=plan, year=year, enrolled_by=actor) for m in members
            )
    except IntegrityError as exc:  # written meanwhile without the file's lock (the admin, a script)
        raise ValidationError({"members": _("该成员本年度已参加此保障计划。")}) from exc
    audit_record(
        actor=actor,
        verb="support.cover",
        target=household,
        changes={"cover": (None, f"{year} {plan.name}：{'、'.join(m.name for m in members)}")},
        request=request,
    )
    return enrolments


@transaction.atomic
def mutual_cover_claim(
    *,
    actor,
    member: Member,
    plan: MutualCoverPlan,
    year: int,
    treated_on: date,
    hospital: str,
    illness: str,
    amount: Decimal,
    paid_on: date,
    note: str = "",
    request=None,
) -> MutualCoverClaim:
    """Record a claim the plan paid for a member's hospital stay or illness.

    The claim belongs to the member's enrolment in that plan for that year, and the stay must fall
    in the cover year (plans run by calendar year).
    """
    household = Household.objects.select_related("union").get(pk=member.household_id)
    _check_in_scope(actor, household, COVER_RECORDERS)
    # Locked so that claims on one enrolment are recorded one after the other.
    enrolment = (
        MutualCoverEnrolment.objects.select_for_update().select_related("plan")
        .filter(member=member, plan=plan, year=year).first()
    )  # fmt: skip
    if enrolment is None:
        raise ValidationError(
            {"member": _("%(name)s 未参加 %(year)s 年度“%(plan)s”，不能登记赔付。")
             % {"name": member.name, "year": year, "plan": plan.name}}
        )  # fmt: skip
    errors = {}
    if treated_on.year != year:
        errors["treated_on"] = _("住院/就诊日期不在 %(year)s 年度保障期内（%(year)s-01-01 至 %(year)s-12-31）。") % {
            "year": year
        }
    if paid_on < treated_on:
        errors["paid_on"] = _("赔付日期不能早于住院/就诊日期。")
    elif paid_on > timezone.localdate():
        errors["paid_on"] = _("赔付日期不能晚于今天。")
    if not (Decimal("0") < amount <= CLAIM_CAP):
        errors["amount"] = _("赔付金额须大于 0 且不超过 100,000 元。")
    if not hospital.strip():
        errors["hospital"] = _("请填写医院。")
    if not illness.strip():
        errors["illness"] = _("请填写病种或诊断。")
    if errors:
        raise ValidationError(errors)
    claim = MutualCoverClaim.objects.create(
        enrolment=enrolment, treated_on=treated_on, hospital=hospital.strip(), illness=illness.strip(),
        amount=amount, paid_on=paid_on, note=note.strip(), recorded_by=actor,
    )  # fmt: skip
    # The illness is health data: it stays on the claim, out of the audit log.
    audit_record(
        actor=actor,
        verb="support.claim",
        target=household,
        changes={"claim": (None, f"{member.name} {year} {plan.name} {amount} 元（{paid_on:%Y-%m-%d}）")},
        request=request,
    )
    return claim
