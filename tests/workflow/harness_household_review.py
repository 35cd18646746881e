"""How the consistency test drives the household review chain: one file per state, the personas, the calls.

``build(tree)`` returns the files (several per state where a guard splits it: a
visit recorded or not, the 公示 running or ended) and the personas; ``offered``
reads what the pages offer; ``CALLS`` calls each action's service.
"""

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import HardshipStandard, Household, Status, Step
from cases.review import selectors
from cases.review import services as svc
from cases.review.forms import DecisionForm
from cases.review.workflow import VISIT_STEPS
from cases.selectors import household_get
from cases.services import household_create
from cases.tickets import services as tickets
from family.models import WorkerAccount
from hardship.models import Role, RoleAssignment, User
from tests.cases.conftest import WUXI, household_data, person
from tests.factories import SocialOrganisationFactory, user_with_role

R = Role
ROLES = [R.GRASSROOTS_STAFF, R.CASEWORKER, R.CENTRE_STAFF, R.THIRD_PARTY_REVIEWER, R.DISCIPLINE_OBSERVER,
         R.FUND_APPROVER, R.SYSTEM_ADMIN, R.ENTERPRISE_CONTACT]  # fmt: skip


def _visit(actor, household, step):
    visit = svc.VisitInput(visited_on=timezone.localdate(), living_conditions="两室一厅", findings="情况属实")
    svc.visit_record(actor=actor, household_id=household.pk, step=step, visit=visit)


def build(tree) -> tuple[list[tuple[str, Household]], dict[str, User]]:
    HardshipStandard.objects.create(union=tree["city"], **WUXI)
    org = SocialOrganisationFactory(name="益家社工", contracted_by=tree["city"])
    other_org = SocialOrganisationFactory(name="别家社工", contracted_by=tree["city"])
    places = {"own": tree["company"], "parent": tree["huishan"], "sibling": tree["lihu"]}
    personas: dict[str, User] = {}
    for role in ROLES:
        for where, union in places.items():
            extra = {"organisation": org} if role == R.THIRD_PARTY_REVIEWER else {}
            personas[f"{role}@{where}"] = user_with_role(role, union, **extra)
    # The duty cases: who submitted, who did the 初审, who visited, another organisation, the observer,
    # and reviewers of the assigned organisation who also took part earlier (the drift of issue 18).
    submitter = personas["submitter"] = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    # Who entered a file that a colleague submitted (may not give its 初审 either), and the staff of
    # the unions above who may (the street union's 干事, the district centre: small unions' 初审).
    entrant = personas["entrant"] = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    personas["grassroots@street"] = user_with_role(R.GRASSROOTS_STAFF, tree["yanqiao"])
    personas["caseworker@street"] = user_with_role(R.CASEWORKER, tree["yanqiao"])
    first = personas["first_reviewer"] = user_with_role(R.GRASSROOTS_STAFF, tree["company"])
    caseworker = personas["visiting_caseworker"] = user_with_role(R.CASEWORKER, tree["yanqiao"])
    centre = personas["centre@city"] = user_with_role(R.CENTRE_STAFF, tree["city"])
    reviewer = personas["reviewer@city"] = user_with_role(R.THIRD_PARTY_REVIEWER, tree["city"], organisation=org)
    personas["other_org_reviewer"] = user_with_role(R.THIRD_PARTY_REVIEWER, tree["city"], organisation=other_org)
    personas["observer@city"] = user_with_role(R.DISCIPLINE_OBSERVER, tree["city"])
    for user in (submitter, first):
        RoleAssignment.objects.create(user=user, union=tree["city"], role=R.THIRD_PARTY_REVIEWER, organisation=org)
    personas = {name: User.objects.get(pk=user.pk) for name, user in personas.items()}  # fresh role caches

    def new(label, *steps, entered_by=submitter, **update):
        household = household_create(actor=entered_by, union=tree["company"], data=household_data(),
                                     members=[person()])  # fmt: skip
        for step in steps:
            step(household)
        if update:
            Household.objects.filter(pk=household.pk).update(**update)
        return label, Household.objects.get(pk=household.pk)

    def submit(h):
        svc.household_submit(actor=submitter, household_id=h.pk)

    def first_visit(h):
        _visit(caseworker, h, Step.FIRST)

    def approve(h):
        svc.first_review_decide(actor=first, household_id=h.pk, decision="approve", text="")

    def assign(h):
        svc.second_review_assign(actor=centre, household_id=h.pk, organisation=org)

    def second_visit(h):
        _visit(reviewer, h, Step.SECOND)

    def second_approve(h):
        svc.second_review_decide(actor=reviewer, household_id=h.pk, decision="approve", text="")

    def end_notice(h):
        Household.objects.filter(pk=h.pk).update(notice_end=timezone.localdate() - timedelta(days=1))

    def file(h):
        svc.household_file(actor=centre, household_id=h.pk)

    def exit_(h):
        svc.household_exit(actor=centre, household_id=h.pk, kind="relieved", reason="低保兜底")

    def appeal(h):
        tickets.ticket_submit(kind="appeal", subject="rejection", household_id=h.pk, text="申诉", actor=submitter)

    to_second = (submit, first_visit, approve)
    to_notice = (*to_second, assign, second_visit, second_approve)
    to_filed = (*to_notice, end_notice, file)
    later = timezone.now() + timedelta(minutes=5)
    files = [
        new("draft"),
        new("submitted", submit),
        new("first_review", submit, first_visit),
        new("submitted, entered by a colleague", submit, entered_by=entrant),
        new("first_review, entered by a colleague", submit, first_visit, entered_by=entrant),
        new("first_review, visit before the submission", submit, first_visit, submitted_at=later),
        new("returned", submit, lambda h: svc.first_review_decide(actor=first, household_id=h.pk, decision="return",
                                                                  text="补材料")),
        new("rejected", submit, first_visit, lambda h: svc.first_review_decide(
            actor=first, household_id=h.pk, decision="reject", text="不符合")),
        new("rejected at 初审, appealed", submit, first_visit, lambda h: svc.first_review_decide(
            actor=first, household_id=h.pk, decision="reject", text="不符合"), appeal),
        new("rejected at 复审, appealed", *to_second, assign, second_visit, lambda h: svc.second_review_decide(
            actor=reviewer, household_id=h.pk, decision="reject", text="不符合"), appeal),
        new("second_review, not assigned", *to_second),
        new("second_review, assigned, no visit", *to_second, assign),
        new("second_review, assigned, visited", *to_second, assign, second_visit),
        new("public_notice, running", *to_notice),
        new("public_notice, ended", *to_notice, end_notice),
        new("filed, no yearly visit", *to_filed),
        new("filed, yearly visit", *to_filed, lambda h: _visit(caseworker, h, Step.YEARLY)),
        new("filed, temporary (意外致困)", *to_filed, temporary_until=timezone.localdate()),
        new("filed, temporary, no longer qualifies", *to_filed, temporary_until=timezone.localdate(), tier="none"),
        new("filed, temporary, confirmed", *to_filed, temporary_until=timezone.localdate(),
            confirmed_at=timezone.localdate()),
        new("closed", *to_filed, lambda h: svc.household_close(actor=centre, household_id=h.pk,
                                                               reason="duplicate")),
        new("exited", *to_filed, exit_),
        new("reopened", *to_filed, exit_, lambda h: svc.household_reopen(actor=submitter, household_id=h.pk,
                                                                         text="再次患病")),
    ]  # fmt: skip
    # The worker's own 网上申请 (no staff entrant or submitter), a draft and one returned for correction,
    # each with its worker; a worker holds the 申请人 role on their own file only.
    for label, steps in (
        ("draft, online", ()),
        (
            "returned, online",
            (submit, lambda h: svc.first_review_decide(actor=first, household_id=h.pk, decision="return", text="补")),
        ),
    ):
        _label, online = new(label, *steps, source="online", created_by=None)
        account = WorkerAccount(phone=f"1390000{len(files):04d}", name=online.head_name, household=online)
        account.set_id_number(online.head_id_number)
        account.save()
        personas[f"worker of {label}"] = account
        files.append((label, Household.objects.get(pk=online.pk)))
    return files, personas


# What the pages offer.

_LINK = re.compile(r'href="[^"]*/review/([\w-]+)/" data-action="\1"')
_VISIT = re.compile(r'href="[^"]*/visits/([\w-]+)/"')
_INCOME = re.compile(r'action="[^"]*/monthly-income/"')
_APPEAL = re.compile(r'data-action="(appeal_(?:first|second))"')


def offered(household: Household, user: User) -> set[str]:
    """The actions the file page (its rendered HTML) and the decision page's form offer ``user``.

    A worker (family channel) sees only their own file's status page; its resubmit link is ``worker_submit``.
    """
    if isinstance(user, WorkerAccount):
        if user.household_id != household.pk:
            return set()
        client = Client()
        session = client.session
        session["_family_worker_id"] = user.pk
        session.save()
        body = client.get(reverse("family:home")).content.decode()
        return set(re.findall(r'data-action="(worker_submit)"', body))
    client = Client()
    client.force_login(user)
    response = client.get(reverse("cases:household_detail", args=[household.pk]))
    if response.status_code != 200:
        return set()
    body = response.content.decode()
    actions = {VISIT_STEPS[step].action for step in _VISIT.findall(body)}
    if _INCOME.search(body):
        actions.add("monthly_income")
    actions |= set(_APPEAL.findall(body))
    page_household = household_get(user=user, pk=household.pk)
    for page in _LINK.findall(body):
        members, _label = selectors.PAGES[page]
        if len(members) == 1:
            actions.add(members[0])
            continue
        form = DecisionForm(actions=selectors.page_actions(user=user, household=page_household, page=page))
        widget = form.fields["decision"].widget
        prefix = members[0].rsplit("_", 1)[0]
        actions |= {f"{prefix}_{value}" for value, _l in widget.choices if value not in widget.disabled_values}
    return actions


# How each action's service is called (valid input, so only the workflow can refuse).


def _visit_call(step):
    return lambda h, u: _visit(u, h, step)


CALLS = {
    "submit": lambda h, u: svc.household_submit(actor=u, household_id=h.pk),
    "worker_submit": lambda h, u: svc.household_submit_online(worker=u, household_id=h.pk),
    "first_visit": _visit_call(Step.FIRST),
    "first_approve": lambda h, u: svc.first_review_decide(actor=u, household_id=h.pk, decision="approve", text=""),
    "first_return": lambda h, u: svc.first_review_decide(actor=u, household_id=h.pk, decision="return", text="补"),
    "first_reject": lambda h, u: svc.first_review_decide(actor=u, household_id=h.pk, decision="reject", text="否"),
    "assign": lambda h, u: svc.second_review_assign(
        actor=u, household_id=h.pk, organisation=selectors.organisations_for_assignment(h).first()),
    "second_visit": _visit_call(Step.SECOND),
    "second_approve": lambda h, u: svc.second_review_decide(actor=u, household_id=h.pk, decision="approve", text=""),
    "second_return": lambda h, u: svc.second_review_decide(actor=u, household_id=h.pk, decision="return", text="补"),
    "second_reject": lambda h, u: svc.second_review_decide(actor=u, household_id=h.pk, decision="reject", text="否"),
    "objection": lambda h, u: svc.notice_objection(actor=u, household_id=h.pk, text="有异议"),
    "file": lambda h, u: svc.household_file(actor=u, household_id=h.pk),
    "yearly_visit": _visit_call(Step.YEARLY),
    "yearly_continue": lambda h, u: svc.yearly_review_continue(actor=u, household_id=h.pk, text=""),
    "monthly_income": lambda h, u: svc.monthly_income_record(
        actor=u, household_id=h.pk, month=timezone.localdate().replace(day=1), per_capita_income=1500),
    "exit": lambda h, u: svc.household_exit(actor=u, household_id=h.pk, kind="relieved", reason="低保兜底"),
    "follow_up_visit": _visit_call(Step.FOLLOW_UP),
    "reopen": lambda h, u: svc.household_reopen(actor=u, household_id=h.pk, text="再次患病"),
    "appeal_first": lambda h, u: svc.household_appeal_reopen(actor=u, household_id=h.pk, text="申诉成立",
                                                              action="appeal_first"),
    "appeal_second": lambda h, u: svc.household_appeal_reopen(actor=u, household_id=h.pk, text="申诉成立",
                                                               action="appeal_second"),
    "confirm": lambda h, u: svc.household_confirm(actor=u, household_id=h.pk, text=""),
    "close": lambda h, u: svc.household_close(actor=u, household_id=h.pk, reason="moved_away"),
}  # fmt: skip

STATES_COVERED = set(Status.values)
