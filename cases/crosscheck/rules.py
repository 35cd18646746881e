"""Dated rules turning an upload's findings into flags (set-based, one statement per rule).

The rule set in force is the union's own or its nearest ancestor's on the result's date, as for
the standards (``cases.selectors.standard_in_force``). A pension that would change the tier is
computed with the one tier rule (``cases.tiers.compute_tier`` through ``household_recompute``)
on the household's members with the pension the registry reports.
"""

import copy
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from hardship.models import AuditEvent, Union

from ..models import Disability, Household, Member
from ..services.households import household_recompute
from .models import DEFAULT_BUSINESS_ROLES, Finding, Flag, FlagCode, FlagRuleSet, FlagStatus, RegistryKind


def rules_in_force(*, union: Union, on: date) -> FlagRuleSet | None:
    return (
        FlagRuleSet.objects.filter(union_id__in=union.ancestor_ids, effective_from__lte=on)
        .select_related("union")
        .order_by("-union__depth", "-effective_from")
        .first()
    )


def _field(name: str, cast: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(f.data->>'{name}' AS {cast})"
    return f"CAST(json_extract(f.data, '$.{name}') AS {'REAL' if cast == 'NUMERIC' else cast})"


def _text(name: str) -> str:
    if connection.vendor == "postgresql":
        return f"(f.data->>'{name}')"
    return f"json_extract(f.data, '$.{name}')"


def _insert(cursor, *, upload_id: int, code: str, kind: str, where: str = "1 = 1", joins: str = "",
            params: list | None = None, now) -> int:  # fmt: skip
    empty = "'{}'::jsonb" if connection.vendor == "postgresql" else "'{}'"
    cursor.execute(
        f"INSERT INTO {Flag._meta.db_table} (household_id, finding_id, code, detail, data, status, outcome, reason, "
        f"created_at) SELECT f.household_id, f.id, %s, '', {empty}, %s, '', '', %s "
        f"FROM {Finding._meta.db_table} f {joins} WHERE f.upload_id = %s AND f.kind = %s AND {where}",
        [code, FlagStatus.OPEN, now, upload_id, kind, *(params or [])],
    )
    return cursor.rowcount


def flags_raise(*, upload, rules: FlagRuleSet | None, now) -> int:
    """The flags of one upload's findings under ``rules``; returns how many were raised."""
    if rules is None:
        return 0
    kind = upload.registry.kind
    raised = 0
    with connection.cursor() as cursor:
        if kind == RegistryKind.DIBAO and rules.flag_dibao:
            raised += _insert(cursor, upload_id=upload.pk, code=FlagCode.DIBAO, kind=kind, now=now)
        elif kind == RegistryKind.PROPERTY:
            # Two or more homes and the household's area per person above the local average.
            households = Household._meta.db_table
            raised += _insert(
                cursor, upload_id=upload.pk, code=FlagCode.PROPERTIES, kind=kind, now=now,
                joins=f"JOIN {households} h ON h.id = f.household_id",
                where=f"{_field('count', 'INTEGER')} >= %s AND "
                      f"{_field('area', 'NUMERIC')} > %s * CASE WHEN h.member_count > 0 THEN h.member_count ELSE 1 END",
                params=[rules.min_properties, rules.average_area],
            )  # fmt: skip
        elif kind == RegistryKind.VEHICLE and rules.flag_vehicle:
            # A car is a flag unless its owner is disabled (残疾类别 on the member): the exemption.
            members = Member._meta.db_table
            raised += _insert(
                cursor, upload_id=upload.pk, code=FlagCode.VEHICLE, kind=kind, now=now,
                joins=f"JOIN {members} m ON m.id = f.member_id",
                where=f"{_field('count', 'INTEGER')} >= 1 AND m.disability = %s", params=[Disability.NONE],
            )  # fmt: skip
        elif kind == RegistryKind.BUSINESS and rules.flag_business:
            roles = list(rules.business_roles or DEFAULT_BUSINESS_ROLES)
            marks = ", ".join(["%s"] * len(roles))
            raised += _insert(cursor, upload_id=upload.pk, code=FlagCode.BUSINESS, kind=kind, now=now,
                              where=f"{_text('role')} IN ({marks})", params=roles)  # fmt: skip
    if kind == RegistryKind.SOCIAL and rules.flag_pension:
        raised += _pension_flags(upload=upload, on=upload.result_date)
    return raised


def pension_tier(*, household: Household, pensions: dict[int, Decimal], on: date) -> tuple[str, Decimal]:
    """The tier and per-capita income the file would have with each member's yearly pension as reported."""
    members = []
    for member in household.members.filter(removed=False):
        if member.pk in pensions:
            member = copy.copy(member)
            member.income_pension = pensions[member.pk]
        members.append(member)
    simulated = copy.copy(household)
    household_recompute(household=simulated, members=members, on=on)
    return simulated.tier, simulated.per_capita_income


def _pension_flags(*, upload, on: date) -> int:
    """Per household with a pension finding (a short list: pensions are few among hardship files)."""
    by_household: dict[int, list[Finding]] = {}
    for finding in Finding.objects.filter(upload=upload).order_by("household_id", "id"):
        by_household.setdefault(finding.household_id, []).append(finding)
    flags = []
    households = Household.objects.select_related("union").in_bulk(list(by_household))
    for household_id, findings in by_household.items():
        household = households[household_id]
        pensions = {f.member_id: _yearly(f.data.get("pension")) for f in findings}
        tier, per_capita = pension_tier(household=household, pensions=pensions, on=on)
        if tier != household.tier:
            flags.append(Flag(household=household, finding=findings[0], code=FlagCode.PENSION,
                              data={"tier_before": household.tier, "tier_after": tier,
                                    "per_capita_after": str(per_capita),
                                    "pensions": {str(k): str(v) for k, v in pensions.items()}}))  # fmt: skip
    Flag.objects.bulk_create(flags)
    return len(flags)


def _yearly(monthly) -> Decimal:
    try:
        return (Decimal(str(monthly or "0")) * 12).quantize(Decimal("0.01"))
    except ArithmeticError:
        return Decimal("0")


def flag_history_insert(*, actor, upload, household_type: str, ip: str | None) -> None:
    """The same events as ``audit_record_many`` writes, in one INSERT … SELECT (a city's roll flags thousands)."""
    labels = " ".join("WHEN %s THEN %s" for _code in FlagCode.values)
    label_params = [v for code, label in FlagCode.choices for v in (code, str(label))]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {AuditEvent._meta.db_table} (actor_id, verb, target_type, target_id, target_repr, union_id, "
            "changes, ip_address, created_at) "
            "SELECT %s, 'xcheck.flag', %s, h.id::text, LEFT(h.head_name, 200), h.union_id, "
            f"jsonb_build_object('flag', jsonb_build_array(NULL, string_agg(CASE f.code {labels} END, '、' "
            "ORDER BY f.id)), 'registries', jsonb_build_array(NULL, %s::text)), %s, %s "
            f"FROM {Flag._meta.db_table} f JOIN {Finding._meta.db_table} d ON d.id = f.finding_id "
            f"JOIN {Household._meta.db_table} h ON h.id = f.household_id WHERE d.upload_id = %s GROUP BY h.id",
            [actor.pk if actor else None, household_type, *label_params, upload.registry.name, ip, timezone.now(),
             upload.pk],
        )  # fmt: skip
