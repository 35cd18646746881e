"""Writes of help beyond cash: each one action, checked against the actor's scope, audited."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from hardship.access import root_unions, scope_unions
from hardship.services import audit_record

from ..models import Household, Member
from .models import (
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


def can_record_help(user, household: Household) -> bool:
    """For the page: the user's role unions are cached on the user, so this asks the database nothing."""
    path = household.union.path
    return any(path.startswith(union.path) for union in root_unions(user, HELP_RECORDERS))


def _check_in_scope(actor, household: Household) -> None:
    if not scope_unions(actor, HELP_RECORDERS).filter(pk=household.union_id).exists():
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


@transaction.atomic
def mutual_cover_enrol(*, actor, member: Member, plan: MutualCoverPlan, year: int) -> MutualCoverEnrolment:
    """Enrol a member of the household in a 互助保障 plan for a year (once per member, plan and year)."""
    _check_in_scope(actor, member.household)
    try:
        with transaction.atomic():
            enrolment = MutualCoverEnrolment.objects.create(member=member, plan=plan, year=year, enrolled_by=actor)
    except IntegrityError as exc:
        raise ValidationError(_("该成员本年度已参加此保障计划。")) from exc
    audit_record(
        actor=actor, verb="support.cover", target=member.household, changes={"cover": (None, f"{plan} {year}")}
    )
    return enrolment


@transaction.atomic
def mutual_cover_claim(*, actor, enrolment: MutualCoverEnrolment, amount: Decimal, paid_on: date, note: str = ""):
    """A claim paid under the plan."""
    household = enrolment.member.household
    _check_in_scope(actor, household)
    claim = MutualCoverClaim.objects.create(enrolment=enrolment, amount=amount, paid_on=paid_on, note=note)
    audit_record(actor=actor, verb="support.claim", target=household, changes={"claim": (None, str(amount))})
    return claim
