"""The permission matrix's world: a small union tree with one of everything at "own" and at "sibling".

    city
    ├── 惠山本区 (district)  → 堰桥本街 (street = the "parent" union) → 本家公司 (grassroots = "own")
    └── 滨湖邻区 (district)  → 蠡湖邻街 (street)                        → 邻家公司 (grassroots = "sibling")

Each of "own" and "sibling" holds a filed household (with a student, a bank card, an attachment and a
visit), a draft household, a fund with programs and an exported batch, a one-off grant, a published
and a closed work-study season with an enterprise, a position, an application and a placement. The
parent union holds a household and an enterprise of its own, which users at "own" must never see.

Every persona is one user: a role held at the union its scope names (own → 本家公司, parent → 堰桥本街,
sibling → 邻家公司), plus anonymous, a user with no role and a Django superuser (for the admin), and a
worker (the family channel's account, no staff user) of the own and of the sibling filed household.
Markers are the unique strings (names) of each side's objects: the matrix asserts that a page never
shows a marker of a side outside the persona's scope.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cases.archive.models import DestructionList
from cases.changes import services as changes
from cases.crosscheck import services as crosscheck
from cases.crosscheck.models import Flag, FlagRuleSet, Registry, RegistryKind, RequestScope
from cases.demo import WUXI_STANDARD
from cases.models import HardshipStandard, HomeVisit, Household, Status
from cases.notices.services import family_notification_deliver
from cases.register.models import ImportStage, RegisterImport
from cases.services import MemberInput, attachment_add, household_create
from cases.tickets import services as tickets
from family.models import SignInCode, WorkerAccount
from hardship.identity import make_id_number
from hardship.models import ExportJob, Role, SocialOrganisation, Union, User
from hardship.services import role_assign, union_create
from hardship.spreadsheet import csv_bytes
from programs.assistance import services as money
from programs.assistance.balances import approval_figures
from programs.assistance.batch import batch_compute
from programs.assistance.models import Batch, FundAccount, LedgerEntry, Payment, Program, ProgramKind, ProgramStandard
from programs.recovery import services as recovery
from programs.workstudy import services as workstudy
from programs.workstudy.models import Placement, SafetyClass, Term

SCOPES = ("own", "parent", "sibling")
SIDES = ("own", "parent", "sibling")  # where objects live (the parent side holds only a household and an enterprise)
# The Chinese word each side's names carry; persona names carry it too.
SIDE_WORD = {"own": "本家", "parent": "父级", "sibling": "邻家"}
BANK = "中国工商银行"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
INSURED = {
    "agreement_signed_on": date(2025, 12, 18),
    "insurer": "中国人民财产保险股份有限公司无锡市分公司",
    "insurance_policy": "PICC-2026-0001",
    "insurance_valid_from": date(2026, 1, 1),
    "insurance_valid_until": date(2026, 12, 31),
}
_sequence = count(500)


@dataclass(frozen=True)
class Persona:
    role: str  # a Role value, or "anonymous", "no_role", "superuser", "worker" (a family-channel account)
    scope: str  # own / parent / sibling, or "-" for the personas without a union

    @property
    def key(self) -> str:
        return f"{self.role}@{self.scope}"


@dataclass
class World:
    unions: dict[str, Union] = field(default_factory=dict)
    users: dict[Persona, User | WorkerAccount | None] = field(default_factory=dict)
    tokens: dict[Persona, str] = field(default_factory=dict)
    # (side, kind) → primary key of an object of that kind on that side.
    objects: dict[tuple[str, str], int] = field(default_factory=dict)
    # side → {marker text: what it is}
    markers: dict[str, dict[str, str]] = field(default_factory=dict)

    def mark(self, side: str, text: str, what: str) -> str:
        self.markers.setdefault(side, {})[text] = what
        return text


def _id(birth: date) -> str:
    return make_id_number("320206", birth, next(_sequence))


def _person(relation: str, name: str, birth: date, work: str, **extra) -> MemberInput:
    return MemberInput(relation=relation, name=name, id_number=_id(birth), work_status=work, **extra)


def build_world() -> World:
    world = World()
    city = union_create(actor=None, name="无锡测试市总工会", code="MX-CITY", level=Union.Level.CITY)
    names = {
        "own": ("惠山本区总工会", "堰桥本街总工会", "本家公司工会"),
        "sibling": ("滨湖邻区总工会", "蠡湖邻街总工会", "邻家公司工会"),
    }
    for side, (district, street, grassroots) in names.items():
        d = union_create(actor=None, name=district, code=f"MX-{side}-D", level=Union.Level.DISTRICT, parent=city)
        s = union_create(actor=None, name=street, code=f"MX-{side}-S", level=Union.Level.STREET, parent=d)
        g = union_create(actor=None, name=grassroots, code=f"MX-{side}-G", level=Union.Level.GRASSROOTS, parent=s)
        world.unions.update({f"{side}_district": d, f"{side}_street": s, side: g})
        if side == "sibling":  # the own side's union names are its ancestors for own users: not markers
            for union in (d, s, g):
                world.mark("sibling", union.name, "union")
        else:
            world.mark("own", g.name, "union")
    world.unions["city"] = city
    for side in ("own", "sibling"):
        world.objects[(side, "union")] = world.unions[side].pk
    world.unions["parent"] = world.unions["own_street"]
    for side in ("own", "sibling"):
        world.mark(side, world.unions[f"{side}_district"].name, "union")
        world.mark(side, world.unions[f"{side}_street"].name, "union")

    HardshipStandard.objects.create(union=city, **WUXI_STANDARD)

    # The one who builds the world: centre staff and fund approver at the city (not a persona).
    builder = User.objects.create_user("mx_builder", password="x", full_name="测试建档员")
    approver = User.objects.create_user("mx_approver", password="x", full_name="测试审批员")
    role_assign(actor=None, user=builder, union=city, role=Role.CENTRE_STAFF)
    role_assign(actor=None, user=approver, union=city, role=Role.FUND_APPROVER)

    organisations = {}
    for side in ("own", "sibling"):
        organisations[side] = SocialOrganisation.objects.create(
            name=world.mark(side, f"{SIDE_WORD[side]}社会工作服务中心", "organisation"),
            contracted_by=world.unions[side],
        )
    organisations["parent"] = organisations["own"]

    _personas(world, organisations)
    for side in ("own", "sibling"):
        _side(world, side, builder, approver)
    _parent_side(world, builder)
    _review_cases(world, builder, organisations["own"])
    _workers(world)
    return world


def _workers(world: World) -> None:
    """A worker signed in on the family channel, linked to each side's filed household (and a spent code)."""
    for n, side in enumerate(("own", "sibling")):
        household = Household.objects.get(pk=world.objects[(side, "household")])
        account = WorkerAccount(phone=f"1390000900{n}", name=household.head_name, household=household)
        account.set_id_number(household.head_id_number)
        account.save()
        world.users[Persona("worker", side)] = account
        SignInCode.objects.create(phone=account.phone, code_hash="-", expires_at=timezone.now() + timedelta(minutes=5),
                                  used_at=timezone.now())  # fmt: skip


def _personas(world: World, organisations) -> None:
    for persona in (Persona("anonymous", "-"), Persona("no_role", "-"), Persona("superuser", "-")):
        if persona.role == "anonymous":
            world.users[persona] = None
            continue
        user = User.objects.create_user(f"mx_{persona.role}", password="x", full_name=f"无角色{persona.role}")
        if persona.role == "superuser":
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        world.users[persona] = user
        world.tokens[persona] = Token.objects.create(user=user).key
    for role in Role:
        for scope in SCOPES:
            persona = Persona(role.value, scope)
            name = f"{SIDE_WORD[scope]}{role.label}"
            if scope != "parent":  # parent users act on the own side's files: their names are in its history
                world.mark(scope, name, "user")
            user = User.objects.create_user(f"mx_{role.value}_{scope}", password="x", full_name=name)
            organisation = organisations[scope] if role == Role.THIRD_PARTY_REVIEWER else None
            role_assign(actor=None, user=user, union=world.unions[scope], role=role, organisation=organisation)
            world.users[persona] = user
            world.tokens[persona] = Token.objects.create(user=user).key


def contact(world: World, side: str) -> User:
    return world.users[Persona(Role.ENTERPRISE_CONTACT.value, side)]


def _side(world: World, side: str, builder: User, approver: User) -> None:
    union, word = world.unions[side], SIDE_WORD[side]
    put = world.objects.__setitem__

    # A standard of the union itself (same figures as the city's), for the standards list.
    HardshipStandard.objects.create(union=union, **{**WUXI_STANDARD, "effective_from": date(2024, 8, 1)})

    # A filed household: 特困 (no income), a bank card, a student child, a visit and an attachment.
    head = world.mark(side, f"欧阳{word[0]}强", "household head")
    student = world.mark(side, f"欧阳小{word[0]}", "student")
    members = [
        _person("self", head, date(1978, 3, 12), "unable"),
        _person("child", student, date(2006, 5, 1), "student", school_level="senior"),
    ]
    filed = household_create(
        actor=builder, union=union, members=members,
        data={"phone": f"1390510{next(_sequence):04d}", "address": f"{word}路 1 号", "main_cause": "serious_illness",
              "secondary_causes": [], "bank_name": BANK,
              "bank_card": "6222021234567890128"},
    )  # fmt: skip
    Household.objects.filter(pk=filed.pk).update(status=Status.FILED, filed_at=date(2026, 1, 5))
    filed.refresh_from_db()
    put((side, "household"), filed.pk)
    world.mark(side, filed.phone, "phone")
    attachment = attachment_add(
        actor=builder, household=filed, kind="income_proof", upload=SimpleUploadedFile("证明.pdf", PDF)
    )
    put((side, "attachment"), attachment.pk)
    visit = HomeVisit.objects.create(household=filed, step="first", visited_on=date(2026, 1, 2),
                                     living_conditions=world.mark(side, f"{word}走访所见", "visit"),
                                     findings="属实", recorded_by=builder, address_confirmed=True)  # fmt: skip
    put((side, "visit"), visit.pk)
    # An appeal about the amount on the filed file, waiting for the centre (the empty POSTs cannot answer it).
    ticket = tickets.ticket_submit(kind="appeal", subject="amount", household_id=filed.pk, actor=builder,
                                   text=world.mark(side, f"{word}申诉：补助金额算少了", "ticket"), name=head,
                                   phone=filed.phone)  # fmt: skip
    put((side, "ticket"), ticket.pk)
    # What the family was told of its filing (an in-app notification and its SMS log row).
    told = family_notification_deliver(household_id=filed.pk, event="filed", key=f"matrix-filed:{filed.pk}",
                                       context={"file_number": "2026-0001"})  # fmt: skip
    # Read already: the worker's messages page marks what it shows as read (a GET must change nothing here).
    type(told).objects.filter(pk=told.pk).update(read_at=told.created_at)
    put((side, "ticket_code"), ticket.code)
    # A 变更申请 on the filed file, waiting for the centre (its employer; the empty POSTs cannot decide it).
    change = changes.change_propose(actor=builder, household_id=filed.pk, kind="employer", reason="new_employer",
                                    after={"employer": f"{word}新单位"})  # fmt: skip
    changes.change_submit(actor=builder, change_id=change.pk)
    put((side, "change"), change.pk)

    draft = household_create(
        actor=builder, union=union, members=[_person("self", world.mark(side, f"欧阳{word[0]}立", "household head"),
                                                     date(1980, 6, 1), "employed", income_wages=Decimal("12000"))],
        data={"phone": f"1390511{next(_sequence):04d}", "address": f"{word}路 2 号", "main_cause": "disability",
              "secondary_causes": []},
    )  # fmt: skip
    put((side, "draft"), draft.pk)

    # A register import already committed (an empty POST can neither discard nor commit it again).
    register_import = RegisterImport.objects.create(
        kind="households", union=union, status=ImportStage.COMMITTED, file=f"register/{side}.xlsx",
        file_name=world.mark(side, f"{word}存量档案.xlsx", "register file"), content_hash="0" * 64,
        uploaded_by=builder, approved_by=approver, counts={"rows": 1, "new": 1, "created": 1, "skipped": 0},
    )  # fmt: skip
    put((side, "register_import"), register_import.pk)
    # A 新建档案 import already done (on the same engine): an empty POST cannot import it again.
    drafts_import = RegisterImport.objects.create(
        kind="drafts", union=union, status=ImportStage.COMMITTED, file=f"register/{side}-drafts.xlsx",
        file_name=world.mark(side, f"{word}新建档案.xlsx", "drafts import"), content_hash="1" * 64,
        uploaded_by=builder, approved_by=builder, counts={"rows": 1, "new": 1, "created": 1, "members": 1},
    )  # fmt: skip
    put((side, "drafts_import"), drafts_import.pk)

    # Money: the union's own fund, programs, an exported batch (nothing left that a click could move).
    living = Program.objects.create(code=f"mx-living-{side}", name=world.mark(side, f"{word}生活补贴", "program"),
                                    kind=ProgramKind.QUARTERLY, fund_union=union, living_aid=True)  # fmt: skip
    ProgramStandard.objects.create(program=living, effective_from=date(2024, 1, 1), tier="extreme",
                                   amount=Decimal("350"), created_by=builder)  # fmt: skip
    medical = Program.objects.create(code=f"mx-medical-{side}", name=world.mark(side, f"{word}医疗补贴", "program"),
                                     kind=ProgramKind.ON_APPLICATION, fund_union=union)  # fmt: skip
    put((side, "program"), living.pk)
    account = FundAccount.objects.create(union=union, year=date.today().year)  # noqa: DTZ011
    LedgerEntry.objects.create(account=account, kind=LedgerEntry.Kind.ALLOCATION, amount=Decimal("500000"),
                               memo=world.mark(side, f"{word}年度预算", "ledger memo"), created_by=builder)  # fmt: skip
    put((side, "account"), account.pk)
    batch = Batch.objects.create(union=union, period="2026-Q1", created_by=builder)
    batch_compute(batch_id=batch.pk)
    money.batch_approve(actor=approver, batch_id=batch.pk, confirmed_total=approval_figures(batch=batch).total)
    money.bank_file(actor=approver, batch_id=batch.pk, bank=BANK, fmt="csv")
    assert Batch.objects.get(pk=batch.pk).status == Batch.Status.EXPORTED
    put((side, "batch"), batch.pk)
    # A written export of the side's centre staff (「我的导出」): downloaded by its owner only.
    owner = world.users[Persona(Role.CENTRE_STAFF.value, side)]
    stored = default_storage.save(f"exports/matrix/{side}.csv", ContentFile("\ufeff参考号\r\n".encode()))
    export = ExportJob.objects.create(owner=owner, kind="bank_file", title=world.mark(side, f"{word}代发文件导出",
                                      "export"), union=union, roles=[Role.CENTRE_STAFF], status=ExportJob.Status.DONE,
                                      file=stored, filename=f"{side}.csv", content_type="text/csv", rows_total=1,
                                      expires_at=timezone.now() + timedelta(hours=24))  # fmt: skip
    put((side, "export"), export.pk)
    # 追回: a receivable on the filed household for part of that batch's payment (nothing collected).
    paid = list(Payment.objects.filter(household=filed, batch=batch).values_list("pk", flat=True))
    reason = world.mark(side, f"{word}误发", "recovery")
    receivable = recovery.receivable_raise(actor=builder, household_id=filed.pk, payment_ids=paid,
                                           amount=Decimal("50"), reason=reason)  # fmt: skip
    put((side, "receivable"), receivable.pk)
    put((side, "receivable_entry"), receivable.entries.get().pk)  # its one entry (raised): nothing to reverse
    # 销毁清单: an (empty) list of the union, as the yearly task would draft it; nothing on it to approve.
    put((side, "destruction"), DestructionList.objects.create(union=union, cutoff=date(2016, 1, 1)).pk)
    grant = money.grant_apply(actor=builder, household=filed, program=medical, amount=Decimal("800"),
                              reason=world.mark(side, f"{word}住院自付", "grant reason"))  # fmt: skip
    put((side, "grant"), grant.pk)

    # 关爱·圆梦: a published season with a placement, and a closed season.
    enterprise = workstudy.enterprise_create(
        actor=builder, union=union, data={"name": world.mark(side, f"{word}爱心企业有限公司", "enterprise"), **INSURED},
        contacts=[contact(world, side)],
    )  # fmt: skip
    put((side, "enterprise"), enterprise.pk)
    season = workstudy.season_create(actor=builder, union=union, year=2026, term=Term.WINTER,
                                     starts_on=date(2026, 1, 26), ends_on=date(2026, 2, 27))  # fmt: skip
    put((side, "season"), season.pk)
    position = workstudy.position_create(
        actor=builder, season_id=season.pk, enterprise_id=enterprise.pk,
        data={"title": world.mark(side, f"{word}仓库助理", "position"), "place": f"{word}仓库", "places": 1,
              "pay": Decimal("2300"), "hours_per_day": 8, "safety_class": SafetyClass.NORMAL, "min_age": None,
              "school_levels": [], "field_of_study": ""},
    )  # fmt: skip
    put((side, "position"), position.pk)
    child = filed.members.get(relation="child")
    application = workstudy.application_register(
        actor=builder, season_id=season.pk, member_id=child.pk, details=workstudy.StudentDetails(),
        preferences=[position.pk],
    )  # fmt: skip
    put((side, "application"), application.pk)
    workstudy.season_run_matching(actor=builder, season_id=season.pk)
    workstudy.season_publish(actor=builder, season_id=season.pk)
    put((side, "placement"), Placement.objects.get(application=application).pk)

    closed = workstudy.season_create(actor=builder, union=union, year=2025, term=Term.SUMMER,
                                     starts_on=date(2025, 7, 7), ends_on=date(2025, 8, 29))  # fmt: skip
    workstudy.season_run_matching(actor=builder, season_id=closed.pk)
    workstudy.season_publish(actor=builder, season_id=closed.pk)
    workstudy.season_close(actor=builder, season_id=closed.pk)
    put((side, "closed_season"), closed.pk)

    # 信息比对 (after the batch: a flag holds its household from later batches): the head's consent, a
    # request of the union's filed households to the vehicle registry, its result with the head's car.
    vehicles, _created = Registry.objects.get_or_create(code="cheliang", defaults={
        "name": "车辆登记", "kind": RegistryKind.VEHICLE, "request_columns": ["name", "id_number"],
        "result_columns": {"id_number": "身份证号", "count": "车辆数"}})  # fmt: skip
    FlagRuleSet.objects.get_or_create(union=union, effective_from=date(2024, 1, 1),
                                      defaults={"average_area": Decimal("40")})  # fmt: skip
    head_member = filed.members.get(relation="self")
    today = timezone.localdate()
    crosscheck.consent_record(actor=builder, household=filed, member_ids=[head_member.pk],
                              upload=SimpleUploadedFile("授权书.pdf", PDF), signed_on=today - timedelta(days=1),
                              valid_until=today + timedelta(days=365), registry_ids=[vehicles.pk])  # fmt: skip
    check = crosscheck.request_create(actor=builder, union_id=union.pk, scope=RequestScope.UNION,
                                      registry_ids=[vehicles.pk])  # fmt: skip
    rows = [["身份证号", "车辆数"], [head_member.id_number, "1"]]
    result = crosscheck.results_upload(actor=builder, check=check, registry=vehicles, name="车辆.csv",
                                       result_date=today, data=csv_bytes(rows))  # fmt: skip
    put((side, "xcheck_request"), check.pk)
    put((side, "registry"), vehicles.pk)
    put((side, "flag"), Flag.objects.get(finding__upload=result).pk)


def _review_cases(world: World, builder: User, organisation: SocialOrganisation) -> None:
    """Three 复审 cases at "own": the only one a third-party reviewer of the own side's organisation may
    open is "assigned" (at 复审 with it). "reviewed" is past its 复审 (in 公示: the reviewer gave it),
    "reassigned" is at 复审 with another organisation: for the reviewer both are like any unassigned file."""
    union = world.unions["own"]
    elsewhere = SocialOrganisation.objects.create(name="另一家社会工作事务所", contracted_by=world.unions["city"])
    reviewer = world.users[Persona(Role.THIRD_PARTY_REVIEWER.value, "own")]
    cases = {
        "assigned": ("欧阳本审", "assigned head", {"status": Status.SECOND_REVIEW, "second_review_org": organisation,
                                                    "second_review_due": date(2026, 12, 31)}),
        "reviewed": ("欧阳本示", "household head", {"status": Status.PUBLIC_NOTICE, "second_review_org": organisation,
                                                    "second_reviewer": reviewer, "notice_start": date(2026, 1, 5),
                                                    "notice_end": date(2026, 1, 9)}),
        "reassigned": ("欧阳本转", "household head", {"status": Status.SECOND_REVIEW, "second_review_org": elsewhere,
                                                      "second_review_due": date(2026, 12, 31)}),
    }  # fmt: skip
    for kind, (head, what, review) in cases.items():
        household = household_create(
            actor=builder, union=union, members=[_person("self", world.mark("own", head, what), date(1979, 4, 2),
                                                         "unable")],
            data={"phone": f"1390512{next(_sequence):04d}", "address": "本家路 3 号", "main_cause": "serious_illness",
                  "secondary_causes": []},
        )  # fmt: skip
        attachment = attachment_add(
            actor=builder, household=household, kind="income_proof", upload=SimpleUploadedFile("证明.pdf", PDF)
        )
        Household.objects.filter(pk=household.pk).update(**review)
        world.objects[("own", kind)] = household.pk
        world.objects[("own", f"{kind}_attachment")] = attachment.pk


def _parent_side(world: World, builder: User) -> None:
    """What lives at the parent union: users at "own" never see it."""
    union = world.unions["parent"]
    household = household_create(
        actor=builder, union=union, members=[_person("self", world.mark("parent", "欧阳父强", "household head"),
                                                     date(1975, 1, 9), "employed", income_wages=Decimal("12000"))],
        data={"phone": "13905129999", "address": "父级路 1 号", "main_cause": "disability", "secondary_causes": []},
    )  # fmt: skip
    world.objects[("parent", "household")] = household.pk
    name = world.mark("parent", "父级爱心企业有限公司", "enterprise")
    enterprise = workstudy.enterprise_create(
        actor=builder, union=union, data={"name": name, **INSURED}, contacts=[contact(world, "parent")]
    )
    world.objects[("parent", "enterprise")] = enterprise.pk
