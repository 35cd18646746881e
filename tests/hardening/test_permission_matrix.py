"""The permission matrix: every URL of the URLconf × every persona, against a table of expected answers.

The URLs are read from the URLconf (``get_resolver()``, recursively), never from a hand-written list:
a URL whose name has no row in ``EXPECTED`` (or ``ADMIN_MODELS`` for the Django admin) fails the test
by name. Path parameters are filled with the objects of the world in ``matrix_world``: always the
"own" side's objects, so for each role the three scopes read as

- own:     the role is held at the grassroots union that owns the objects → the role's answer;
- parent:  the role is held at the union just above it → the same answer (a user acts on everything below);
- sibling: the role is held at a grassroots union in the sibling district → 404 for anything naming an
           object (its existence does not leak), the role's answer for lists.

An enterprise contact speaks only for the enterprises they are a login of, so only their "own"
scope (a contact of the own enterprise) is in scope. Anonymous visitors are sent to the login page
except where a URL says otherwise; a logged-in user with no role is refused (403) wherever a role is
required. Every answer with a body is also searched for the names of the objects outside the
persona's scope (the sibling's households, unions, enterprises, users …, and for users at "own" the
parent union's own objects): lists, counts, dropdowns, exports and search must not show them.

A third-party reviewer's role sits at a union too, but it reads only the cases assigned to its
organisation while assigned: the own side's "assigned" case (at 复审 with the own organisation). Every
other file of its unions — the filed and draft households, "reviewed" (its 复审 given, in 公示) and
"reassigned" (at 复审 with another organisation) — is a 404 to it, and no page of its shows their names.
``ALSO`` runs URLs a second time naming those cases.

POST-only endpoints get an empty POST, and the world is built so that none of them can change
anything (the batch is already exported, the season already published or closed, forms are empty);
the test checks afterwards that no row of the portal's tables changed.
"""

import io
import json
import logging
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, resolve, reverse

from cases.models import Household
from family.auth import SESSION_KEY as WORKER_SESSION_KEY
from family.models import WorkerAccount
from hardship.models import AuditEvent, Notification, Role

from .matrix_world import SCOPES, SIDES, Persona, World, build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

LOGIN = "login"  # a 302 to a login page
R = Role
EVERY_ROLE = frozenset(Role.values)
FILE_READERS = EVERY_ROLE - {R.ENTERPRISE_CONTACT}
FILE_EDITORS = frozenset({R.GRASSROOTS_STAFF, R.CENTRE_STAFF, R.SYSTEM_ADMIN})
UNMASKERS = frozenset({R.GRASSROOTS_STAFF, R.CASEWORKER, R.THIRD_PARTY_REVIEWER, R.CENTRE_STAFF, R.FUND_APPROVER})
MONEY_READERS = frozenset({R.CENTRE_STAFF, R.FUND_APPROVER, R.DISCIPLINE_OBSERVER, R.SYSTEM_ADMIN})
AUDIT_READERS = MONEY_READERS
WORKSTUDY_MANAGERS = frozenset({R.CENTRE_STAFF, R.SYSTEM_ADMIN})
WORKSTUDY_READERS = WORKSTUDY_MANAGERS | {R.DISCIPLINE_OBSERVER}
WORKSTUDY_USERS = WORKSTUDY_READERS | {R.ENTERPRISE_CONTACT}
STANDARD_EDITORS = frozenset({R.CENTRE_STAFF, R.SYSTEM_ADMIN})
# Centre staff may give a small union's 初审 and record its visit (cases/review/workflow.py): the visit
# page lets them in; the workflow then sends them back from a visit of another step.
VISITORS = frozenset({R.GRASSROOTS_STAFF, R.CASEWORKER, R.THIRD_PARTY_REVIEWER, R.CENTRE_STAFF})
PROPOSERS = frozenset({R.GRASSROOTS_STAFF, R.CENTRE_STAFF})
TICKET_READERS = frozenset({R.CENTRE_STAFF, R.DISCIPLINE_OBSERVER})
# The archive (cases/archive): 脱困库/注销库 for the unions' staff and observers; the centre's lists.
ARCHIVE_READERS = frozenset({R.GRASSROOTS_STAFF, R.CENTRE_STAFF, R.DISCIPLINE_OBSERVER})
CENTRE_READERS = frozenset({R.CENTRE_STAFF, R.DISCIPLINE_OBSERVER})
XCHECK_READERS = frozenset({R.CENTRE_STAFF, R.DISCIPLINE_OBSERVER})


@dataclass(frozen=True)
class E:
    """What a URL answers.

    ``roles``: the roles the view lets in (others get ``denied``); None: any logged-in user.
    ``args``: path parameter → the kind of "own" object that fills it, or "=literal".
    ``ok``: the answer in scope; ``by_role`` where a role gets another one (e.g. a redirect).
    ``out``: the answer, for an allowed role, to a URL naming an object outside its scope.
    ``persona``: "role@scope" → answer, for the odd case (explained next to it).
    ``shows``: kinds of "own" objects whose names an in-scope 200 must contain (lists, exports, search),
    for the roles in ``shown_to`` (default: ``roles``).
    ``api``: authenticate with the persona's token (the API's own way), not the session.
    """

    roles: frozenset | None = None
    args: dict = field(default_factory=dict)
    method: str = "GET"
    query: str = ""
    ok: int | str = 200
    by_role: dict = field(default_factory=dict)
    out: int = 404
    denied: int = 403
    anon: int | str = LOGIN
    persona: dict = field(default_factory=dict)
    shows: tuple = ()
    shown_to: frozenset | None = None
    api: bool = False
    # A worker signed in on the family channel (no staff user): staff pages answer as to an anonymous
    # visitor (``anon``) unless this says otherwise.
    worker: int | str | None = None


H = {"pk": "household"}
# The family channel: public pages, and the worker's pages (their own file only, no id in any URL).
# Staff users and anonymous visitors are sent to the worker sign-in page (302, not the staff login).
FAMILY_PUBLIC = E(anon=200, worker=200)
FAMILY_WORKER = E(ok=302, anon=302, worker=200, shows=("household head",), shown_to=frozenset({"worker"}))
REGISTER = {"pk": "register_import"}
DRAFTS_IMPORT = {"pk": "drafts_import"}
CENTRE = frozenset({R.CENTRE_STAFF})
API_NO_FILES = {"no_role": 404, R.ENTERPRISE_CONTACT: 404}
SEARCH = "?q=欧阳"  # every household head of the world is named 欧阳…: the search must find only in-scope ones

EXPECTED: dict[str, E] = {
    # -- the project
    "my_work": E(),
    "login": E(ok=302, anon=200),  # logged in: redirect_authenticated_user
    "logout": E(ok=405),  # POST only (a GET must not log anyone out)
    "password_change": E(),
    "set_language": E(method="POST", ok=302, anon=302),  # works before login too
    "health": E(anon=200),
    # Readiness without beat's heartbeat (none runs here) is 503 for everyone; metrics answer loopback only.
    "health_live": E(anon=200),
    "health_ready": E(ok=503, anon=503),
    "metrics": E(anon=200),
    "hardship:union_list": E(FILE_READERS, shows=("union",)),
    "hardship:union_detail": E(FILE_READERS, args={"pk": "union"}),
    "hardship:audit_list": E(AUDIT_READERS, shows=("household head",)),
    "hardship:notifications": E(),
    "hardship:notifications_read": E(method="POST", ok=302),
    "hardship:id_number_check": E(method="POST"),  # any signed-in user: the form's check of a 身份证号
    # -- the family channel
    "family:self_test": FAMILY_PUBLIC,
    "family:sign_in": FAMILY_PUBLIC,
    "family:verify": E(ok=302, anon=302, worker=302),  # no code sent in this session: back to the sign-in
    "family:start": E(ok=302, anon=302, worker=302),  # no number proven in this session: back to the sign-in
    "family:sign_out": E(ok=405, anon=405, worker=405),  # POST only
    "family:home": FAMILY_WORKER,
    "family:my_file": FAMILY_WORKER,
    "family:apply": E(ok=302, anon=302, worker=302),  # the worker has a file already: to its status page
    "family:correct": E(ok=302, anon=302, worker=404),  # nothing returned for correction on the file
    # The worker's messages and appeals: their own household's only (the sibling's appeal is a 404).
    "family:notices": E(ok=302, anon=302, worker=200),
    "family:notices_read": E(ok=302, anon=302, worker=405),  # POST only (a GET reads nothing as read)
    "family:tickets": E(ok=302, anon=302, worker=200),
    "family:ticket_new": E(ok=302, anon=302, worker=200),
    "family:ticket_detail": E(
        ok=302, anon=302, out=302, worker=200, args={"ticket_id": "ticket"}, persona={"worker@sibling": 404}
    ),  # fmt: skip
    # 关爱·圆梦 from the family channel: the page; sign-up and accept are POST only (GET: 405 to the worker).
    "family:workstudy": E(ok=302, anon=302, worker=200),
    "family:workstudy_sign_up": E(ok=302, anon=302, out=302, worker=405, args={"season_id": "season"}),
    "family:workstudy_accept": E(ok=302, anon=302, out=302, worker=405, args={"placement_id": "placement"}),
    # 「我的导出」: every signed-in user's own files; a file is downloaded by its owner only (anyone else: 404).
    "hardship:export_list": E(),
    "hardship:export_status": E(),
    "hardship:export_download": E(args={"pk": "export"}, ok=404, persona={"centre_staff@own": 200}),
    # -- household files
    "cases:household_list": E(FILE_READERS, query=SEARCH, shows=("household head",)),
    "cases:household_create": E(FILE_EDITORS),
    "cases:household_detail": E(FILE_READERS, args=H),
    "cases:household_edit": E(FILE_EDITORS, args={"pk": "draft"}),
    "cases:household_unmask": E(UNMASKERS, args=H, method="POST"),
    # 变更申请: proposed by grassroots or centre staff on a filed file, decided by centre staff only.
    "cases:change_propose": E(PROPOSERS, args=H),
    "cases:contact_edit": E(FILE_EDITORS, args=H),
    "cases:change_queue": E(PROPOSERS),
    "cases:change_detail": E(PROPOSERS, args={"change_id": "change"}),
    # The approval's confirmation page; a grassroots user is sent back to the request (not theirs to decide).
    "cases:change_action": E(
        PROPOSERS, args={"change_id": "change", "name": "=approve"}, by_role={R.GRASSROOTS_STAFF: 302}
    ),
    # 信息比对: authorisations by the file's editors; requests, results and decisions by centre staff;
    # discipline observers read the requests and the adjudication queue.
    "cases:xcheck_consent": E(PROPOSERS, args=H),
    "cases:xcheck_home": E(XCHECK_READERS),
    "cases:xcheck_request_detail": E(XCHECK_READERS, args={"request_id": "xcheck_request"}),
    "cases:xcheck_request_file": E(
        frozenset({R.CENTRE_STAFF}),
        args={"request_id": "xcheck_request", "registry_id": "registry"},
        shows=("household head",),
    ),
    "cases:xcheck_results_upload": E(
        frozenset({R.CENTRE_STAFF}), args={"request_id": "xcheck_request"}, method="POST", ok=302
    ),
    "cases:xcheck_flag_queue": E(XCHECK_READERS, shows=("household head",)),
    "cases:xcheck_flag_detail": E(XCHECK_READERS, args={"flag_id": "flag"}),
    "cases:xcheck_flag_action": E(
        frozenset({R.CENTRE_STAFF}), args={"flag_id": "flag", "name": "=dismiss"}, method="POST", ok=302
    ),
    "cases:household_print": E(FILE_READERS, args=H),
    "cases:attachment_upload": E(FILE_EDITORS, args=H, method="POST", ok=302),
    "cases:attachment_download": E(FILE_READERS, args={"pk": "household", "attachment_id": "attachment"}),
    "cases:review_action": E(FILE_READERS, args={"pk": "household", "name": "=exit"}),
    # The 年度复核 visit is the union's own (grassroots staff, caseworkers); a reviewer never sees a filed file.
    "cases:visit_create": E(VISITORS, args={"pk": "household", "step": "=yearly"}, by_role={R.CENTRE_STAFF: 302}),
    "cases:monthly_income_add": E(frozenset({R.GRASSROOTS_STAFF, R.CASEWORKER}), args=H, method="POST", ok=302),
    # Fund approvers and system admins have no review queue: the page refuses them.
    "cases:review_queue": E(FILE_READERS - {R.FUND_APPROVER, R.SYSTEM_ADMIN}),
    "cases:notice_list": E(FILE_READERS),
    # The archive's life cycle: searches and lists; a destruction list's decisions behind a confirmation
    # (the world's list is drafted and empty: "approve" is refused and sends everyone back to the list).
    "cases:archive_search": E(ARCHIVE_READERS),
    "cases:archive_temporary": E(CENTRE_READERS),
    "cases:archive_stale": E(CENTRE_READERS),
    "cases:destruction_list": E(CENTRE_READERS),
    "cases:destruction_detail": E(CENTRE_READERS, args={"pk": "destruction"}),
    "cases:destruction_action": E(CENTRE_READERS, args={"pk": "destruction", "name": "=approve"}, ok=302),
    "cases:standard_list": E(STANDARD_EDITORS),
    "cases:standard_create": E(STANDARD_EDITORS),
    # 存量导入: centre staff only; the world's import is committed, so the approval page sends them back to it.
    "cases:register_list": E(CENTRE, shows=("register file",)),
    "cases:register_template": E(CENTRE, args={"kind": "=households"}),
    "cases:register_detail": E(CENTRE, args=REGISTER),
    "cases:register_progress": E(CENTRE, args=REGISTER),
    "cases:register_approve": E(CENTRE, args=REGISTER, ok=302),
    "cases:register_discard": E(CENTRE, args=REGISTER, method="POST", ok=302),
    "cases:register_commit_again": E(CENTRE, args=REGISTER, method="POST", ok=302),
    "cases:register_recheck": E(CENTRE, args=REGISTER, method="POST", ok=302),
    "cases:household_import": E(FILE_EDITORS),
    "cases:household_import_stage": E(FILE_EDITORS, args=DRAFTS_IMPORT),
    "cases:household_import_commit": E(FILE_EDITORS, args=DRAFTS_IMPORT, method="POST", ok=302),
    "cases:household_template": E(FILE_EDITORS),
    "cases:household_export": E(FILE_READERS, query=SEARCH, shows=("household head",)),
    "cases:help_add": E(frozenset({R.CENTRE_STAFF, R.GRASSROOTS_STAFF}), args=H, method="POST", ok=302),
    "cases:support_detail": E(FILE_READERS, args=H),
    "cases:cover_enrol": E(FILE_EDITORS, args=H),
    "cases:cover_claim": E(FILE_EDITORS, args=H),
    # -- 申诉/投诉/举报: centre staff handle them, discipline observers read them; the public pages need
    # no sign-in (a submitter reads the replies with the ticket's code); staff record one from a file.
    "cases:ticket_queue": E(TICKET_READERS),
    "cases:ticket_detail": E(TICKET_READERS, args={"ticket_id": "ticket"}),
    # An empty reply is refused by the form: back to the ticket, nothing written.
    "cases:ticket_action": E(TICKET_READERS, args={"ticket_id": "ticket", "name": "=reply"}, method="POST", ok=302),
    "cases:ticket_new": E(frozenset({R.GRASSROOTS_STAFF, R.CENTRE_STAFF}), args=H),
    "cases:complaint_new": E(anon=200),
    "cases:tip_off_new": E(anon=200),
    "cases:ticket_public": E(args={"code": "ticket_code"}, anon=200, out=200),  # the code is the key, not a scope
    # -- money
    "programs:program_list": E(MONEY_READERS, shows=("program",)),
    "programs:program_standard_create": E(frozenset({R.CENTRE_STAFF}), args={"pk": "program"}),
    "programs:batch_list": E(MONEY_READERS, shows=("union",)),
    "programs:batch_start": E(frozenset({R.CENTRE_STAFF}), method="POST", ok=302),
    "programs:batch_detail": E(MONEY_READERS, args={"pk": "batch"}, shows=("household head",)),
    "programs:batch_progress": E(MONEY_READERS, args={"pk": "batch"}),
    "programs:batch_approve": E(frozenset({R.FUND_APPROVER}), args={"pk": "batch"}, method="POST", ok=302),
    "programs:batch_reject": E(frozenset({R.FUND_APPROVER}), args={"pk": "batch"}, method="POST", ok=302),
    "programs:batch_recompute": E(frozenset({R.CENTRE_STAFF}), args={"pk": "batch"}, method="POST", ok=302),
    "programs:batch_release_lock": E(frozenset({R.CENTRE_STAFF}), args={"pk": "batch"}, method="POST", ok=302),
    "programs:batch_freeze_retry": E(
        frozenset({R.FUND_APPROVER, R.CENTRE_STAFF}), args={"pk": "batch"}, method="POST", ok=302
    ),
    "programs:batch_bank_file": E(
        frozenset({R.FUND_APPROVER, R.CENTRE_STAFF}),
        args={"pk": "batch"},
        query="?bank=中国工商银行&format=csv",
        shows=("household head",),
    ),
    "programs:batch_reconcile": E(
        frozenset({R.FUND_APPROVER, R.CENTRE_STAFF}), args={"pk": "batch"}, method="POST", ok=302
    ),
    "programs:ledger": E(MONEY_READERS, shows=("ledger memo",)),
    "programs:ledger_allocate": E(frozenset({R.FUND_APPROVER}), args={"pk": "account"}, method="POST", ok=302),
    "programs:grant_list": E(MONEY_READERS | {R.GRASSROOTS_STAFF}, shows=("grant reason",)),
    "programs:grant_apply": E(frozenset({R.GRASSROOTS_STAFF, R.CENTRE_STAFF}), args={"household_id": "household"}),
    "programs:grant_decide": E(frozenset({R.FUND_APPROVER}), args={"pk": "grant"}, method="POST", ok=302),
    # 追回: read by the money roles; raised by centre staff from a file; each step behind a confirmation
    # (the world's receivable is open: "approve_write_off" is refused and sends everyone back to it).
    "programs:receivable_list": E(MONEY_READERS, shows=("household head",)),
    "programs:receivable_raise": E(frozenset({R.CENTRE_STAFF}), args={"household_id": "household"}),
    "programs:receivable_detail": E(MONEY_READERS, args={"pk": "receivable"}),
    "programs:receivable_action": E(MONEY_READERS, args={"pk": "receivable", "name": "=approve_write_off"}, ok=302),
    # Nothing collected: 冲正 is refused and sends everyone back to the receivable.
    "programs:instalment_reverse": E(MONEY_READERS, args={"pk": "receivable", "entry_id": "receivable_entry"}, ok=302),
    "programs:never_helped": E(CENTRE_READERS),
    # -- 关爱·圆梦 work-study
    "workstudy:home": E(WORKSTUDY_USERS),
    "workstudy:enterprise_list": E(WORKSTUDY_READERS, shows=("enterprise",)),
    "workstudy:enterprise_create": E(WORKSTUDY_MANAGERS),
    "workstudy:enterprise_detail": E(WORKSTUDY_USERS, args={"pk": "enterprise"}),
    "workstudy:enterprise_edit": E(WORKSTUDY_MANAGERS, args={"pk": "enterprise"}),
    "workstudy:season_create": E(WORKSTUDY_MANAGERS),
    "workstudy:season_detail": E(WORKSTUDY_USERS, args={"pk": "season"}, shows=("position",)),
    "workstudy:season_match": E(WORKSTUDY_MANAGERS, args={"pk": "closed_season"}, method="POST", ok=302),
    "workstudy:season_publish": E(WORKSTUDY_MANAGERS, args={"pk": "closed_season"}, method="POST", ok=302),
    "workstudy:season_close": E(WORKSTUDY_MANAGERS, args={"pk": "closed_season"}, method="POST", ok=302),
    "workstudy:season_results": E(WORKSTUDY_READERS, args={"pk": "season"}, shows=("student",)),
    "workstudy:season_stats": E(WORKSTUDY_READERS, args={"pk": "season"}),
    "workstudy:position_create": E(WORKSTUDY_USERS - {R.DISCIPLINE_OBSERVER}, args={"season_pk": "season"}, ok=302),
    "workstudy:application_create": E(WORKSTUDY_MANAGERS, args={"season_pk": "season"}),
    "workstudy:application_create_outstanding": E(WORKSTUDY_MANAGERS, args={"season_pk": "season"}),
    "workstudy:position_detail": E(WORKSTUDY_USERS, args={"pk": "position"}),
    "workstudy:position_edit": E(WORKSTUDY_USERS - {R.DISCIPLINE_OBSERVER}, args={"pk": "position"}),
    "workstudy:position_withdraw": E(
        WORKSTUDY_USERS - {R.DISCIPLINE_OBSERVER}, args={"pk": "position"}, method="POST", ok=302
    ),
    "workstudy:application_detail": E(WORKSTUDY_READERS, args={"pk": "application"}),
    "workstudy:application_assign": E(WORKSTUDY_MANAGERS, args={"pk": "application"}, method="POST", ok=302),
    "workstudy:application_unassign": E(WORKSTUDY_MANAGERS, args={"pk": "application"}, method="POST", ok=302),
    "workstudy:placement_detail": E(WORKSTUDY_USERS, args={"pk": "placement"}),
    "workstudy:placement_confirm": E(
        WORKSTUDY_USERS - {R.DISCIPLINE_OBSERVER}, args={"pk": "placement"}, method="POST"
    ),  # fmt: skip
    "workstudy:placement_earnings": E(
        WORKSTUDY_USERS - {R.DISCIPLINE_OBSERVER}, args={"pk": "placement"}, method="POST"
    ),  # fmt: skip
    # -- reports
    "reports:dashboard": E(MONEY_READERS),
    "reports:quarterly_return": E(MONEY_READERS, query="?quarter=2026-Q1", shows=("union",)),
    "reports:exit_return": E(MONEY_READERS, query="?year=2026"),
    # -- the read API: a token, never the login page; 401 without one
    "api:schema": E(api=True, anon=401),
    "api:docs": E(api=True, anon=401),
    "api:api-root": E(api=True, anon=401),
    # Any token may call the API; what it returns is scoped like the pages (nothing for a user
    # who reads no files): a file outside that is a 404.
    "api:household-list": E(api=True, anon=401, shows=("household head",), shown_to=FILE_READERS),
    "api:household-detail": E(api=True, anon=401, args=H, by_role=API_NO_FILES),
    "api:household-payments": E(api=True, anon=401, args=H, by_role=API_NO_FILES),
    "api:household-actions": E(api=True, anon=401, args=H, by_role=API_NO_FILES),
}

# The same URLs naming the 复审 cases of the world (see matrix_world._review_cases): "assigned" is the
# only file a third-party reviewer (own, parent: the own side's organisation) opens; for every other
# role these are files of the own side like any other. "reviewed" and "reassigned" are 404 to the reviewer.
REVIEW_CASES = ("assigned", "reviewed", "reassigned")
ALSO: dict[str, tuple[E, ...]] = {
    "cases:household_detail": tuple(E(FILE_READERS, args={"pk": c}) for c in REVIEW_CASES),
    "cases:household_print": tuple(E(FILE_READERS, args={"pk": c}) for c in REVIEW_CASES),
    "cases:household_unmask": tuple(E(UNMASKERS, args={"pk": c}, method="POST") for c in REVIEW_CASES),
    "cases:support_detail": tuple(E(FILE_READERS, args={"pk": c}) for c in REVIEW_CASES),
    "cases:attachment_download": tuple(
        E(FILE_READERS, args={"pk": c, "attachment_id": f"{c}_attachment"}) for c in REVIEW_CASES
    ),
    # The 复审 page renders for any reader of the file (the service decides on the POST).
    "cases:review_action": tuple(E(FILE_READERS, args={"pk": c, "name": "=second_review"}) for c in REVIEW_CASES),
    # The 复审 visit is the assigned organisation's: the union's visitors are sent back to the file.
    "cases:visit_create": (
        *(
            E(VISITORS, args={"pk": c, "step": "=second"}, ok=302, by_role={R.THIRD_PARTY_REVIEWER: 200})
            for c in REVIEW_CASES
        ),
        E(VISITORS, args={"pk": "assigned", "step": "=yearly"}, ok=302),
    ),  # fmt: skip
    "api:household-detail": tuple(E(api=True, anon=401, args={"pk": c}, by_role=API_NO_FILES) for c in REVIEW_CASES),
    "api:household-payments": tuple(E(api=True, anon=401, args={"pk": c}, by_role=API_NO_FILES) for c in REVIEW_CASES),
    "api:household-actions": tuple(E(api=True, anon=401, args={"pk": c}, by_role=API_NO_FILES) for c in REVIEW_CASES),
}
# Path objects that are files a third-party reviewer's organisation is not assigned now.
NOT_ASSIGNED = frozenset({"household", "draft", "attachment", "reviewed", "reviewed_attachment", "reassigned",
                          "reassigned_attachment"})  # fmt: skip
# What of a file its pages show: hidden from a reviewer on every side, except the assigned case's.
FILE_MARKERS = frozenset({"household head", "student", "phone", "visit", "grant reason"})
# A reviewer's lists show the assigned case where other readers' show the union's files.
REVIEWER_SHOWS = {"household head": "assigned head"}


# The Django admin: staff only (no persona but the superuser is staff); for the superuser every
# registered model's pages answer, except what its ModelAdmin refuses on purpose.
ADMIN_MODELS = {
    "auth.group", "django_celery_beat.periodictask", "django_celery_beat.clockedschedule",
    "django_celery_beat.crontabschedule", "django_celery_beat.solarschedule", "django_celery_beat.intervalschedule",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog", "authtoken.tokenproxy",
    "hardship.user", "hardship.union", "hardship.socialorganisation", "hardship.auditevent", "hardship.calendarday",
    "hardship.exportjob",
    "cases.household", "cases.hardshipstandard", "cases.attachment", "cases.homevisit", "cases.opinion",
    "cases.monthlyincome", "cases.benchmarkrate", "cases.mutualcoverplan", "cases.noncashhelp", "cases.startuploan",
    "programs.enterprise", "programs.season", "programs.position", "programs.application", "programs.placement",
    "programs.matchrun", "cases.changerequest", "family.workeraccount", "family.signincode",
    "cases.ticket", "cases.messagetemplate", "cases.familynotification", "cases.smsdelivery",
    "cases.registerimport",
    "cases.registry", "cases.flagruleset", "cases.consent", "cases.checkrequest", "cases.resultupload",
    "cases.finding", "cases.flag",
}  # fmt: skip
# What a ModelAdmin refuses the superuser on purpose: the audit log, the attempts axes records and the
# records that only services write are read-only there; a union is deactivated, never deleted.
ADMIN_READ_ONLY = {
    "hardship_auditevent", "hardship_exportjob", "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog",
    "cases_attachment",
    "cases_changerequest", "cases_ticket", "cases_familynotification", "cases_smsdelivery",
    "cases_messagetemplate",  # edited, never added or deleted: one per event
    "cases_noncashhelp", "cases_startuploan", "programs_enterprise", "programs_season", "programs_position",
    "programs_application", "programs_placement", "programs_matchrun",
    "cases_household", "cases_hardshipstandard", "cases_homevisit", "cases_opinion", "cases_monthlyincome",
    "family_workeraccount", "family_signincode",
    "cases_registerimport",
    "cases_consent", "cases_checkrequest", "cases_resultupload", "cases_finding", "cases_flag",
}  # fmt: skip
ADMIN_NO_DELETE = {"hardship_union"}
ADMIN_KEEPS_DELETE = {"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"}  # clearing a lock-out
ADMIN_SITE = {  # the superuser's answers on the site's own pages
    "index": 200, "login": 302, "logout": 405, "password_change": 200, "password_change_done": 200,
    "autocomplete": 403, "jsi18n": 200, "view_on_site": 404, "app_list": 200, "<catch-all>": 404,
}  # fmt: skip


# ---------------------------------------------------------------- the URLconf


@dataclass(frozen=True)
class Route:
    key: str  # the URL name with its namespace ("cases:household_detail"), or a stand-in for an unnamed one
    name: str | None  # what reverse() takes
    params: tuple[str, ...]
    admin_model: str | None = None  # "app_label.model" for a ModelAdmin's pages


def _params(pattern) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None and converters:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def walk_urlconf(resolver=None, namespace: str = "", inherited: tuple = ()) -> list[Route]:
    """Every URL pattern of the project, with the parameters of its whole path."""
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        params = (*inherited, *_params(pattern))
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            routes += walk_urlconf(pattern, inner, params)
            continue
        assert isinstance(pattern, URLPattern)
        model_admin = getattr(pattern.callback, "model_admin", None)
        admin_model = model_admin.model._meta.label_lower if model_admin else None
        name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
        if name:
            key = name
        elif admin_model:
            key = f"{namespace}:{admin_model.replace('.', '_')}_redirect"
        else:
            key = f"{namespace}:<{'catch-all' if 'url' in params else pattern.pattern}>"
        routes.append(Route(key=key, name=name, params=tuple(dict.fromkeys(params)), admin_model=admin_model))
    return routes


# ---------------------------------------------------------------- the expectations


def in_scope(persona: Persona) -> bool:
    if persona.role == R.ENTERPRISE_CONTACT:
        return persona.scope == "own"  # a contact acts for their own enterprise, not for a union's
    return persona.scope in ("own", "parent")


def expected(e: E, persona: Persona):
    if persona.key in e.persona:
        return e.persona[persona.key]
    if persona.role == "anonymous":
        return e.anon
    if persona.role == "worker":  # no staff user: every staff page treats them as anonymous
        return e.anon if e.worker is None else e.worker
    if persona.role in ("no_role", "superuser"):
        return e.by_role.get("no_role", e.ok) if e.roles is None else e.denied
    if e.roles is not None and persona.role not in e.roles:
        return e.denied
    if persona.role == R.THIRD_PARTY_REVIEWER and NOT_ASSIGNED.intersection(e.args.values()):
        return e.out
    names_an_object = any(not kind.startswith("=") for kind in e.args.values())
    if names_an_object and not in_scope(persona):
        return e.out
    return e.by_role.get(persona.role, e.ok)


def expected_admin(route: Route, persona: Persona):
    short = route.key.split(":", 1)[1]
    if persona.role == "anonymous":
        return 200 if short == "login" else LOGIN
    if persona.role == "worker":  # not signed in as staff: the admin's login page
        return 200 if short == "login" else LOGIN
    if persona.role != "superuser":  # logged in, not staff: the admin's login page says so; logout goes home
        return {"login": 200, "logout": 302}.get(short, LOGIN)
    if route.admin_model:
        model, page = short.rsplit("_", 1)
        if page == "add" and model in ADMIN_READ_ONLY:
            return 403
        if page == "delete" and (model in ADMIN_NO_DELETE or model in ADMIN_READ_ONLY - ADMIN_KEEPS_DELETE):
            return 403
        if page == "redirect" or not apps.get_model(route.admin_model)._default_manager.exists():
            return 302 if page != "changelist" and page != "add" else 200  # no row: back to the list
        return 200
    if short == "auth_user_password_change":
        return 200
    return ADMIN_SITE[short]


# ---------------------------------------------------------------- running it


def _body(response) -> str:
    data = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
        )
    text = data.decode("utf-8-sig", errors="replace")
    if "json" in kind and text:
        try:
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            return text
    return text


def _forbidden_markers(world: World, persona: Persona) -> dict[str, str]:
    sides = {"own": ("parent", "sibling"), "parent": ("sibling",), "sibling": ("own", "parent")}.get(
        persona.scope, ("own", "parent", "sibling")
    )
    forbidden = {text: f"{side} {what}" for side in sides for text, what in world.markers.get(side, {}).items()}
    if persona.role == R.THIRD_PARTY_REVIEWER:
        for side in SIDES:
            forbidden.update({text: f"unassigned {side} {what}" for text, what in world.markers.get(side, {}).items()
                              if what in FILE_MARKERS})  # fmt: skip
    return forbidden


def _shown_markers(world: World, kinds: tuple) -> dict[str, str]:
    wanted = {}
    for kind in kinds:
        text = next(t for t, what in world.markers["own"].items() if what == kind)
        wanted[text] = kind
    return wanted


def _url(world: World, route: Route, e: E | None) -> str:
    kwargs = {}
    for param in route.params:
        if e is not None and param in e.args:
            kind = e.args[param]
            kwargs[param] = kind[1:] if kind.startswith("=") else world.objects[("own", kind)]
        elif param == "format":
            kwargs[param] = "json"
        elif param == "object_id" and "object_id" in kwargs:
            continue
        elif param == "object_id" and route.admin_model:
            model = apps.get_model(route.admin_model)
            # A token's admin pages are named by its user's id, not by the key.
            column = "user_id" if route.admin_model == "authtoken.tokenproxy" else "pk"
            kwargs[param] = model._default_manager.order_by(column).values_list(column, flat=True).first() or 0
            if route.name is None:  # the admin's unnamed "<object_id>/" → its change page
                changelist = f"admin:{route.admin_model.replace('.', '_')}_changelist"
                return f"{reverse(changelist)}{kwargs[param]}/"
        elif param == "id":  # the admin's password page of a user
            kwargs[param] = world.users[Persona("no_role", "-")].pk
        elif param == "app_label":
            kwargs[param] = "cases"
        elif param == "content_type_id":  # view on site: a household (it has no public page)
            kwargs[param] = ContentType.objects.get_for_model(Household).pk
            kwargs["object_id"] = world.objects[("own", "household")]
        elif param == "url":
            return "/admin/no-such-page/"
        else:
            raise LookupError(f"{route.key}: no value for the path parameter {param!r}")
    return reverse(route.name, kwargs=kwargs)


def _snapshot() -> dict:
    """Every row of the portal's own tables (not the audit log, notifications or last logins)."""
    rows = {}
    for config in ("hardship", "cases", "programs"):
        for model in apps.get_app_config(config).get_models():
            if model in (AuditEvent, Notification):
                continue
            values = model._default_manager.order_by("pk").values()
            rows[model._meta.label] = [{k: v for k, v in row.items() if k != "last_login"} for row in values]
    return rows


@pytest.fixture(scope="module")
def permission_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at the end."""
    # Sessions in signed cookies: one query less on each of the thousands of requests; access does not
    # depend on where the session is kept.
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"),
                          SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"),
    ):  # fmt: skip
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _clients(world: World) -> dict[Persona, Client]:
    clients = {}
    for persona, user in world.users.items():
        client = Client(raise_request_exception=False)  # a 500 is an answer to report, not a crash
        if isinstance(user, WorkerAccount):
            session = client.session
            session[WORKER_SESSION_KEY] = user.pk
            session.save()
            client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key  # signed cookies: the new value
        elif user is not None:
            client.force_login(user)
        clients[persona] = client
    return clients


def run_matrix(world: World, routes: list[Route]) -> tuple[int, list[str], Counter]:
    clients = _clients(world)
    personas = sorted(world.users, key=lambda p: (p.role, SCOPES.index(p.scope) if p.scope in SCOPES else -1))
    problems, answers, checked = [], Counter(), 0
    for route in routes:
        admin = route.key.startswith("admin:")
        e = None if admin else EXPECTED.get(route.key)
        if not admin and e is None:
            problems.append(f"{route.key}: no expectation in EXPECTED — add a row for this URL")
            continue
        for also in (e, *ALSO.get(route.key, ())):
            checked += _run_route(world, route, also, admin, personas, clients, problems, answers)
    return checked, problems, answers


def _run_route(world: World, route: Route, e: E | None, admin: bool, personas, clients, problems, answers) -> int:
    """One URL (named by ``e``'s objects) as every persona; returns how many requests it sent."""
    if admin and route.admin_model and route.admin_model not in ADMIN_MODELS:
        problems.append(f"{route.key}: admin model {route.admin_model} is not in ADMIN_MODELS")
        return 0
    try:
        url = _url(world, route, e)
    except (LookupError, KeyError, NoReverseMatch) as exc:
        problems.append(f"{route.key}: cannot build its URL ({exc})")
        return 0
    match = resolve(url.split("?")[0])
    if route.name and match.view_name != route.name:
        problems.append(f"{route.key}: {url} resolves to {match.view_name}")
    url += e.query if e else ""
    method = e.method if e else "GET"
    checked = 0
    for persona in personas:
        want = expected_admin(route, persona) if admin else expected(e, persona)
        client = clients[persona]
        extra = {}
        if e is not None and e.api and persona in world.tokens:
            extra["HTTP_AUTHORIZATION"] = f"Token {world.tokens[persona]}"
        response = client.post(url, **extra) if method == "POST" else client.get(url, **extra)
        checked += 1
        got = response.status_code
        answers[got] += 1
        where = f"{route.key} {method} {url} as {persona.key}"
        if want == LOGIN:
            location = response.get("Location", "")
            logins = (reverse(settings.LOGIN_URL), reverse("admin:login"))
            if got != 302 or not location.startswith(logins):
                problems.append(f"{where}: expected a redirect to the login page, got {got} {location}")
                continue
        elif got != want:
            problems.append(f"{where}: expected {want}, got {got}")
            continue
        if got != 200 or (admin and persona.role == "superuser"):
            continue
        body = _body(response)
        for text, what in _forbidden_markers(world, persona).items():
            if text in body:
                problems.append(f"{where}: shows {what} 「{text}」 outside the persona's scope")
        shown_to = e.shown_to or e.roles or EVERY_ROLE if e is not None else ()
        if e is not None and e.shows and persona.role in shown_to and in_scope(persona):
            shows = e.shows
            if persona.role == R.THIRD_PARTY_REVIEWER:
                shows = tuple(REVIEWER_SHOWS.get(kind, kind) for kind in shows)
            for text, kind in _shown_markers(world, shows).items():
                if text not in body:
                    problems.append(f"{where}: does not show the in-scope {kind} 「{text}」")
    return checked


def test_every_url_answers_every_role_in_every_scope_as_the_table_says(permission_world, db, capsys):
    world = permission_world
    routes = walk_urlconf()
    before = _snapshot()
    started = time.monotonic()

    # The refusals are the point here: keep Django's warning for each 403/404/405 out of the output.
    logging.disable(logging.WARNING)
    try:
        checked, problems, answers = run_matrix(world, routes)
    finally:
        logging.disable(logging.NOTSET)

    elapsed = time.monotonic() - started
    urls = len({r.key for r in routes})
    summary = (
        f"permission matrix: {checked:,} cases ({urls} URLs × {len(world.users)} personas) in {elapsed:.0f} s; "
        f"answers {dict(sorted(answers.items()))}; {len(problems)} wrong"
    )
    with capsys.disabled():
        print("\n" + summary)
    assert _snapshot() == before, "the matrix changed data: a POST it sent was not harmless"
    assert not problems, summary + "\n" + "\n".join(problems)
    assert not [r for r in routes if not r.key.startswith("admin:") and r.key not in EXPECTED]
    assert checked > 5000


def test_a_url_without_an_expectation_fails_the_matrix_by_name(permission_world, db):
    route = Route(key="cases:brand_new_page", name="cases:household_list", params=())

    _checked, problems, _answers = run_matrix(permission_world, [route])

    assert problems == ["cases:brand_new_page: no expectation in EXPECTED — add a row for this URL"]


def test_the_table_has_no_row_for_a_url_that_no_longer_exists():
    keys = {r.key for r in walk_urlconf()}

    assert sorted(set(EXPECTED) - keys) == []
