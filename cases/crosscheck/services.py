"""信息比对's writes: consent, request, result upload (matched and flagged), and the flag's decision.

Each one of the house's shape: lock, ask the workflow, write, ``audit_record`` on the household
(its history) or the request in the same transaction.
"""

import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from hardship.access import scope_unions
from hardship.models import Role, Union, User
from hardship.services import AuditRow, audit_record, audit_record_many
from hardship.spreadsheet import csv_bytes
from hardship.tasks import enqueue
from hardship.workflow import ActionRefused, holds_role_over

from ..changes import services as change_services
from ..changes.models import ChangeKind, ChangeReason
from ..models import INCOME_SOURCES, Attachment, Household, Member, Relation, Status
from ..review import services as review_services
from ..services.households import attachment_add
from .matching import ResultFileError, match_file
from .models import (
    REQUEST_COLUMNS,
    CheckRequest,
    Consent,
    Flag,
    FlagCode,
    FlagOutcome,
    Registry,
    RequestPerson,
    RequestScope,
    ResultUpload,
)
from .rules import flag_history_insert, flags_raise, rules_in_force
from .workflow import flag_workflow

CENTRE = (Role.CENTRE_STAFF,)
CONSENT_RECORDERS = (Role.GRASSROOTS_STAFF, Role.CENTRE_STAFF)
MAX_RESULT_BYTES = 200 * 1024 * 1024
LISTED_EXCLUDED = 500


def consent_record(
    *, actor: User, household: Household, member_ids: list[int], upload, signed_on: date, valid_until: date,
    registry_ids: list[int], request=None,
) -> list[Consent]:  # fmt: skip
    """The signed 授权书 (stored as the file's proof, kind 授权书) for the members who signed it."""
    if not holds_role_over(actor, CONSENT_RECORDERS, household.union):
        raise ActionRefused(_("您在该档案所属工会没有登记核对授权的权限。"))
    if valid_until < signed_on:
        raise ActionRefused(_("有效期不能早于签署日期。"))
    if signed_on > timezone.localdate():
        raise ActionRefused(_("签署日期不能晚于今天。"))
    members = list(household.members.filter(pk__in=member_ids, removed=False))
    registries = list(Registry.objects.filter(pk__in=registry_ids, is_active=True))
    if not members:
        raise ActionRefused(_("请选择签署授权书的家庭成员。"))
    if not registries:
        raise ActionRefused(_("请选择授权核对的部门。"))
    with transaction.atomic():
        attachment = attachment_add(actor=actor, household=household, kind=Attachment.Kind.AUTHORISATION,
                                    upload=upload, request=request)  # fmt: skip
        consents = []
        for member in members:
            consent = Consent.objects.create(
                member=member, household=household, attachment=attachment, signed_on=signed_on,
                valid_until=valid_until, recorded_by=actor,
            )  # fmt: skip
            consent.registries.set(registries)
            consents.append(consent)
        audit_record(actor=actor, verb="xcheck.consent", target=household, request=request, changes={
            "consent": (None, "、".join(m.name for m in members)),
            "registries": (None, "、".join(r.name for r in registries)),
            "valid_until": (None, str(valid_until)),
        })  # fmt: skip
    return consents


def scope_households(*, union: Union, scope: str, on: date):
    households = Household.objects.filter(union__path__startswith=union.path)
    if scope == RequestScope.SECOND_REVIEW:
        return households.filter(status=Status.SECOND_REVIEW)
    if scope == RequestScope.YEARLY_DUE:
        return households.filter(status=Status.FILED, next_review_due__lte=on + timedelta(days=30))
    if scope == RequestScope.UNION:
        return households.filter(status=Status.FILED)
    raise ActionRefused(_("请选择核对范围。"))


def request_create(*, actor: User, union_id: int, scope: str, registry_ids: list[int], request=None) -> CheckRequest:
    """发起核对: the consented members of the scope's households, one row per registry they consented to.

    A member without a valid consent for a registry is not sent to it, and is listed (never silently).
    """
    union = scope_unions(actor, CENTRE).filter(pk=union_id).first()
    if union is None:
        raise ActionRefused(_("您在所选工会没有发起核对的权限。"))
    registries = list(Registry.objects.filter(pk__in=registry_ids, is_active=True).order_by("id"))
    if not registries:
        raise ActionRefused(_("请选择比对部门。"))
    today = timezone.localdate()
    households = scope_households(union=union, scope=scope, on=today)
    members = Member.objects.filter(household__in=households, removed=False)
    with transaction.atomic():
        check = CheckRequest.objects.create(union=union, scope=scope, created_by=actor)
        check.registries.set(registries)
        people, excluded = set(), {}
        for registry in registries:
            consent_id = (
                Consent.objects.filter(member_id=OuterRef("pk"), registries=registry, signed_on__lte=today,
                                       valid_until__gte=today).order_by("-valid_until").values("pk")[:1]
            )  # fmt: skip
            rows = members.annotate(consent_id=consent_id.values("pk")).values_list(
                "pk", "household_id", "id_number", "consent_id", "name", "household__head_name")  # fmt: skip
            persons = []
            for member_id, household_id, id_number, consent, name, head in rows.iterator(chunk_size=5000):
                if consent is None:
                    entry = excluded.setdefault(member_id, {"household": household_id, "head": head, "name": name,
                                                            "registries": []})  # fmt: skip
                    entry["registries"].append(registry.name)
                    continue
                people.add(member_id)
                persons.append(RequestPerson(
                    request=check, registry=registry, member_id=member_id, household_id=household_id,
                    consent_id=consent, id_number=id_number,
                ))  # fmt: skip
            RequestPerson.objects.bulk_create(persons, batch_size=5000)
        check.people = len(people)
        check.households = RequestPerson.objects.filter(request=check).values("household_id").distinct().count()
        check.excluded_count = len(excluded)
        check.excluded = list(excluded.values())[:LISTED_EXCLUDED]
        check.save(update_fields=["people", "households", "excluded_count", "excluded"])
        audit_record(actor=actor, verb="xcheck.request", target=check, union=union, request=request, changes={
            "registries": (None, "、".join(r.name for r in registries)), "members": (None, check.people),
            "households": (None, check.households), "excluded": (None, check.excluded_count),
        })  # fmt: skip
    return check


def request_file_rows(*, check: CheckRequest, registry: Registry):
    """The rows of the file a registry centre expects: its configured columns, in its order."""
    relations = dict(Relation.choices)
    columns = [c for c in registry.request_columns if c in REQUEST_COLUMNS] or ["name", "id_number"]
    persons = (RequestPerson.objects.filter(request=check, registry=registry).order_by("household_id", "member_id")
               .values_list("member__name", "id_number", "member__relation", "household_id"))  # fmt: skip
    for name, id_number, relation, household_id in persons.iterator(chunk_size=5000):
        values = {"name": name, "id_number": id_number, "relation": str(relations.get(relation, relation)),
                  "household": str(household_id)}  # fmt: skip
        yield [values[c] for c in columns]


CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def request_file(*, actor: User, check: CheckRequest, registry: Registry, request=None) -> bytes:
    """The request file as the registry centre expects it (its columns, cells escaped); its download is audited."""
    columns = [c for c in registry.request_columns if c in REQUEST_COLUMNS] or ["name", "id_number"]
    header = [str(REQUEST_COLUMNS[c]) for c in columns]
    body = csv_bytes([header, *request_file_rows(check=check, registry=registry)])
    request_download_record(actor=actor, check=check, registry=registry, request=request)
    return body


def request_download_record(*, actor: User, check: CheckRequest, registry: Registry, request=None) -> None:
    audit_record(actor=actor, verb="xcheck.request_download", target=check, union=check.union, request=request,
                 changes={"registries": (None, registry.name), "members": (None, check.people)})  # fmt: skip


@dataclass(frozen=True)
class UploadOutcome:
    upload: ResultUpload
    flags: int


def results_upload(
    *, actor: User, check: CheckRequest, registry: Registry, data: bytes, name: str, result_date: date,
    request=None,
) -> ResultUpload:  # fmt: skip
    """比对结果: match the registry's file against the request's people; findings, then flags by the rules in force."""
    if not holds_role_over(actor, CENTRE, check.union):
        raise ActionRefused(_("您在该工会没有上传比对结果的权限。"))
    if not check.registries.filter(pk=registry.pk).exists():
        raise ActionRefused(_("这份核对申请没有发往所选部门。"))
    if not data:
        raise ActionRefused(_("文件是空的，请重新选择。"))
    if len(data) > MAX_RESULT_BYTES:
        raise ActionRefused(_("文件过大，单个结果文件不能超过 200 MB。"))
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        upload = ResultUpload.objects.create(request=check, registry=registry, result_date=result_date,
                                             original_name=name[:200], uploaded_by=actor)  # fmt: skip
        try:
            result = match_file(upload=upload, data=data, mapping=registry.result_columns, kind=registry.kind, now=now)
        except ResultFileError as exc:
            raise ActionRefused(
                _("结果文件缺少“%(c)s”列，请检查文件或该部门的结果列设置。") % {"c": exc.args[0]}
            ) from exc
        flags = flags_raise(upload=upload, rules=rules_in_force(union=check.union, on=result_date), now=now)
        upload.rows, upload.matched = result.rows, result.matched
        upload.unmatched_count, upload.malformed_count = result.unmatched_count, result.malformed_count
        upload.unmatched, upload.malformed = result.unmatched, result.malformed
        upload.flags, upload.seconds = flags, time.perf_counter() - started
        upload.save(update_fields=["rows", "matched", "unmatched_count", "malformed_count", "unmatched", "malformed",
                                   "flags", "seconds"])  # fmt: skip
        audit_record(actor=actor, verb="xcheck.results", target=check, union=check.union, request=request, changes={
            "registries": (None, registry.name), "rows": (None, result.rows), "matched": (None, result.matched),
            "flags": (None, flags),
        })  # fmt: skip
        # Each flagged household's history entry is written after the commit, by a worker: a city's
        # roll flags thousands of households, and the upload's answer should not wait for them.
        transaction.on_commit(lambda: _queue_history(upload.pk, actor.pk))
    return upload


def _queue_history(upload_id: int, actor_id: int) -> None:
    # Here, not at the top, for a cycle: cases.tasks imports cases.services (tasks call services).
    from ..tasks import record_flag_history

    enqueue(record_flag_history, upload_id, actor_id)


def flag_history_record(*, upload_id: int, actor_id: int | None) -> None:
    """Write the history entry of every household an upload flagged (once: a second run writes nothing)."""
    with transaction.atomic():
        upload = ResultUpload.objects.select_for_update().select_related("registry").get(pk=upload_id)
        if upload.history_written:
            return
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        _history_of_findings(actor=actor, upload=upload)
        upload.history_written = True
        upload.save(update_fields=["history_written"])


def _history_of_findings(*, actor: User, upload: ResultUpload, request=None) -> None:
    """Each flagged household's history says what was found (one event per household, in bulk)."""
    household_type = Household._meta.label_lower
    if connection.vendor == "postgresql":
        flag_history_insert(actor=actor, upload=upload, household_type=household_type, ip=None)
        return
    rows = []
    flagged = (Flag.objects.filter(finding__upload=upload).order_by("household_id")
               .values_list("household_id", "household__head_name", "household__union_id", "code"))  # fmt: skip
    by_household: dict[int, tuple[str, int, list[str]]] = {}
    for household_id, head, union_id, code in flagged.iterator(chunk_size=5000):
        by_household.setdefault(household_id, (head, union_id, []))[2].append(str(FlagCode(code).label))
    for household_id, (head, union_id, codes) in by_household.items():
        rows.append(AuditRow(target_type=household_type, target_id=str(household_id), target_repr=head,
                             union_id=union_id, changes={"flag": (None, "、".join(codes)),
                                                         "registries": (None, upload.registry.name)}))  # fmt: skip
    if rows:
        audit_record_many(actor=actor, verb="xcheck.flag", rows=rows, request=request)


def _begin(actor: User, flag_id: int, action: str):
    flag = Flag.objects.select_for_update(of=("self",)).select_related("finding").get(pk=flag_id)
    flag.household = Household.objects.select_for_update(of=("self",)).select_related("union").get(
        pk=flag.household_id)  # fmt: skip
    return flag, flag_workflow.check(flag, actor, action)


def _decided(flag: Flag, step, actor: User, outcome: str, reason: str, fields=()) -> None:
    flag.status, flag.outcome, flag.reason = step.target, outcome, reason[:500]
    flag.decided_by, flag.decided_at = actor, timezone.now()
    flag.save(update_fields=["status", "outcome", "reason", "decided_by", "decided_at", *fields])


def flag_confirm(*, actor: User, flag_id: int, outcome: str, reason: str = "", income_source: str = "",
                 monthly: Decimal | None = None, request=None) -> Flag:  # fmt: skip
    """Confirm a flag and open its next step: a change request with the new income, the exit queue, or 复审."""
    actions = {FlagOutcome.CHANGE: "confirm_change", FlagOutcome.EXIT: "confirm_exit",
               FlagOutcome.RETURN: "confirm_return"}  # fmt: skip
    if outcome not in actions:
        raise ActionRefused(_("请选择确认后的处理方式。"))
    reason = (reason or "").strip()
    with transaction.atomic():
        flag, step = _begin(actor, flag_id, actions[outcome])
        household = flag.household
        text = reason or str(FlagCode(flag.code).label)
        fields = []
        if outcome == FlagOutcome.CHANGE:
            flag.change_request = _change_for(actor=actor, flag=flag, income_source=income_source, monthly=monthly,
                                              note=text, request=request)  # fmt: skip
            fields = ["change_request"]
        elif outcome == FlagOutcome.RETURN and household.status == Status.PUBLIC_NOTICE:
            review_services.notice_objection(actor=actor, household_id=household.pk,
                                             text=_("信息比对：%(t)s") % {"t": text}, request=request)  # fmt: skip
        _decided(flag, step, actor, outcome, reason, fields)
        audit_record(actor=actor, verb="xcheck.confirm", target=household, request=request, changes={
            "flag": (None, str(FlagCode(flag.code).label)), "outcome": (None, str(FlagOutcome(outcome).label)),
            **({"reason": (None, reason)} if reason else {}),
        })  # fmt: skip
    return flag


def _change_for(*, actor: User, flag: Flag, income_source: str, monthly: Decimal | None, note: str, request=None):
    """The change request the finding calls for: the member's income by source with what was verified.

    A pension flag defaults to the pension the registry reports; any other flag needs the verified
    monthly amount of the source (the rent of the second flat, the company's dividends …)."""
    finding = flag.finding
    if flag.code == FlagCode.PENSION:
        income_source = income_source or "income_pension"
        if monthly is None:
            monthly = Decimal(str(finding.data.get("pension") or "0"))
    if income_source not in INCOME_SOURCES or monthly is None or Decimal(monthly) < 0:
        raise ActionRefused(_("请选择收入项目并填写核实后的月收入，以提出收入变更申请。"))
    after = {income_source: str((Decimal(monthly) * 12).quantize(Decimal("0.01")))}
    change = change_services.change_propose(
        actor=actor, household_id=flag.household_id, kind=ChangeKind.MEMBER_CHANGE, reason=ChangeReason.INCOME,
        member_id=finding.member_id, after=after, note=_("信息比对：%(t)s") % {"t": note}, request=request,
    )  # fmt: skip
    return change_services.change_submit(actor=actor, change_id=change.pk, request=request)


def flag_dismiss(*, actor: User, flag_id: int, reason: str, request=None) -> Flag:
    """Dismiss a flag with the reason (e.g. the car is the employer's; the flat was sold): it goes on the history."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(_("请填写排除疑点的理由。"), code="text_missing")
    with transaction.atomic():
        flag, step = _begin(actor, flag_id, "dismiss")
        _decided(flag, step, actor, "", reason)
        audit_record(actor=actor, verb="xcheck.dismiss", target=flag.household, request=request, changes={
            "flag": (None, str(FlagCode(flag.code).label)), "reason": (None, reason),
        })  # fmt: skip
    return flag


def open_flags_exist():
    """Exists() of an open flag on the outer household (for queues and the batch's hold)."""
    return Exists(Flag.objects.filter(household_id=OuterRef("pk"), status="open"))
