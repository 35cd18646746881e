"""The Django admin writes only what is the admin's job, and those writes are audited.

Records the services write (files, members, opinions, visits, attachments, standards …) are read-only
there, for superusers too: the services lock, check the transition and leave an audit event, a form in
the admin would do none of that (the outside test moved a file from draft to filed, changed a bank card
with no trace and deleted opinions and visits).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import reverse

from cases.models import Household, MonthlyIncome, Opinion, Status
from cases.support.models import HelpKind, NonCashHelp, StartupLoan
from hardship.models import AuditEvent, Role, RoleAssignment, Union, User
from tests.factories import UnionFactory
from tests.hardening.matrix_world import Persona, build_world

# What the admin edits by design: the union tree, users and their roles, social organisations, the
# support settings, and the framework's own tables (groups, API tokens, beat schedules, axes lock-outs).
EDITABLE = {
    "auth.group", "authtoken.tokenproxy",
    "django_celery_beat.periodictask", "django_celery_beat.clockedschedule", "django_celery_beat.crontabschedule",
    "django_celery_beat.solarschedule", "django_celery_beat.intervalschedule",
    "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog",
    "hardship.user", "hardship.roleassignment", "hardship.union", "hardship.socialorganisation",
    "hardship.calendarday",  # the holiday calendar: the system admin's to keep, each change audited
    "cases.benchmarkrate", "cases.mutualcoverplan",
    "cases.messagetemplate",  # the families' message texts: the system admin's to word, each change audited
    "cases.registry", "cases.flagruleset",  # 信息比对: each registry's file layout, the dated flag rules
}  # fmt: skip


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(username="root", is_superuser=True, is_staff=True, is_active=True)
    return request


def _editable(model_admin, request) -> bool:
    return (
        model_admin.has_add_permission(request, None)
        if isinstance(model_admin, admin.options.InlineModelAdmin)
        else model_admin.has_add_permission(request)
    ) or (
        model_admin.has_change_permission(request)
        or model_admin.has_delete_permission(request)
        or "delete_selected" in getattr(model_admin, "get_actions", lambda r: {})(request)
    )


def _admins(request):
    """Every registered ModelAdmin and every inline shown on its pages."""
    for model_admin in admin.site._registry.values():
        yield model_admin
        yield from model_admin.get_inline_instances(request)


def _read_only_models(request) -> list:
    return [a.model for a in admin.site._registry.values() if a.model._meta.label_lower not in EDITABLE]


def test_only_the_models_on_the_editable_list_can_be_written_in_the_admin(db):
    request = _superuser_request()

    editable = {a.model._meta.label_lower for a in _admins(request) if _editable(a, request)}

    assert editable - EDITABLE == set(), "written in the admin, bypassing their services"
    assert EDITABLE - editable == set(), "read-only now: take them off the EDITABLE list"


def test_every_read_only_admin_page_can_still_be_viewed_by_a_superuser(db):
    request = _superuser_request()

    hidden = [a.model for a in _admins(request) if not a.has_view_permission(request)]

    assert hidden == []


def test_the_read_only_admin_pages_show_no_personal_data_field(db):
    request = _superuser_request()

    household_fields = admin.site._registry[Household].get_fields(request)

    assert {"head_id_number", "bank_card", "phone"}.isdisjoint(household_fields)
    assert {"status", "tier", "per_capita_income", "created_at"} <= set(household_fields)


@pytest.fixture
def world(db, settings, tmp_path):
    """The permission matrix's world, plus a row of each read-only model it does not make."""
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    household = Household.objects.get(pk=world.objects[("own", "household")])
    actor = world.users[Persona(Role.GRASSROOTS_STAFF.value, "own")]
    Opinion.objects.create(household=household, step="first", decision="approve", text="同意", actor=actor)
    MonthlyIncome.objects.create(
        household=household, month=date(2026, 1, 1), per_capita_income=Decimal("900.00"), recorded_by=actor
    )
    NonCashHelp.objects.create(
        household=household, kind=HelpKind.TRAINING, given_on=date(2026, 1, 5), recorded_by=actor
    )
    StartupLoan.objects.create(
        household=household, amount=Decimal("50000.00"), start_date=date(2026, 1, 5), recorded_by=actor
    )
    return world


def _rows(models) -> dict:
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in models}


def test_a_superusers_posts_to_read_only_admin_pages_are_refused_and_change_nothing(world):
    client = Client()
    client.force_login(world.users[Persona("superuser", "-")])
    models = _read_only_models(_superuser_request())
    missing = [m._meta.label for m in models if not m._default_manager.exists()]
    assert missing == [], "the world needs a row of each read-only model"
    portal = [m for config in ("hardship", "cases", "programs") for m in apps.get_app_config(config).get_models()]
    before, events = _rows(portal), AuditEvent.objects.count()

    answers = {}
    for model in models:
        obj = model._default_manager.order_by("pk").first()
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        # What the outside test did: move the file to 建档, give it another bank card; generic elsewhere.
        data = {"status": Status.FILED, "bank_card": "6222020200112233445", "head_name": "改过", "name": "改过"}
        answers[model._meta.label] = (
            client.post(reverse(f"{name}_add"), data).status_code,
            client.post(reverse(f"{name}_change", args=[obj.pk]), data).status_code,
            client.post(reverse(f"{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code,
        )
        # The bulk delete is not on offer: the changelist ignores it.
        client.post(reverse(f"{name}_changelist"), {"action": "delete_selected", "_selected_action": [obj.pk],
                                                    "index": "0", "post": "yes"})  # fmt: skip

    assert {label: codes for label, codes in answers.items() if codes != (403, 403, 403)} == {}
    assert _rows(portal) == before
    assert AuditEvent.objects.count() == events
    assert len(answers) >= 15


def test_a_household_file_page_in_the_admin_is_shown_to_a_superuser(world):
    client = Client()
    client.force_login(world.users[Persona("superuser", "-")])
    household = Household.objects.get(pk=world.objects[("own", "household")])

    response = client.get(reverse("admin:cases_household_change", args=[household.pk]))

    assert response.status_code == 200
    assert household.head_name in response.content.decode()
    assert household.bank_card not in response.content.decode()


# ---------------------------------------------------------------- what the admin edits leaves an audit event


@pytest.fixture
def root(db):
    return User.objects.create_superuser(username="root", password="x", email="")


def _user_form(user: User, **changes) -> dict:
    data = {
        "username": user.username, "full_name": user.full_name, "phone": user.phone, "email": user.email,
        "first_name": "", "last_name": "", "is_active": "on", "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00", "last_login_0": "", "last_login_1": "",
        "role_assignments-TOTAL_FORMS": "0", "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(changes)
    return data


def test_a_role_given_in_the_admin_is_an_audit_event_of_the_grant(root):
    union = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS)
    user = User.objects.create_user(username="wang", password="x", full_name="王丽华")
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:hardship_user_change", args=[user.pk]),
        _user_form(user, **{"role_assignments-TOTAL_FORMS": "1", "role_assignments-0-union": str(union.pk),
                            "role_assignments-0-role": Role.CENTRE_STAFF, "role_assignments-0-user": str(user.pk)}),
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=user)
    event = AuditEvent.objects.get(verb="admin.roleassignment.create")
    assert (event.actor, event.union, event.target_id) == (root, union, str(assignment.pk))
    assert event.changes["role"] == [None, Role.CENTRE_STAFF]


def test_a_role_removed_in_the_admin_is_an_audit_event_too(root):
    union = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS)
    user = User.objects.create_user(username="wang", password="x", full_name="王丽华")
    assignment = RoleAssignment.objects.create(user=user, union=union, role=Role.CENTRE_STAFF)
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:hardship_user_change", args=[user.pk]),
        _user_form(user, **{"role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "1",
                            "role_assignments-0-id": str(assignment.pk), "role_assignments-0-user": str(user.pk),
                            "role_assignments-0-union": str(union.pk), "role_assignments-0-role": Role.CENTRE_STAFF,
                            "role_assignments-0-DELETE": "on"}),
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    assert not RoleAssignment.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(verb="admin.roleassignment.delete")
    assert (event.actor, event.union, event.target_id) == (root, union, str(assignment.pk))


def test_making_a_user_a_superuser_in_the_admin_is_an_audit_event_with_the_change(root):
    user = User.objects.create_user(username="wang", password="x", full_name="王丽华", phone="13912345678")
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:hardship_user_change", args=[user.pk]),
        _user_form(user, is_staff="on", is_superuser="on", phone="13900000000"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="admin.user.change")
    assert event.actor == root and event.target_id == str(user.pk)
    assert event.changes["is_superuser"] == [False, True]
    assert event.changes["phone"] == ["139****5678", "139****0000"]  # masked, as every audit row


def test_a_union_renamed_in_the_admin_is_an_audit_event(root):
    union = UnionFactory(name="海溪公司工会", level=Union.Level.GRASSROOTS)
    client = Client()
    client.force_login(root)

    response = client.post(
        reverse("admin:hardship_union_change", args=[union.pk]),
        {
            "name": "海溪集团工会",
            "code": union.code,
            "level": union.level,
            "address": "",
            "phone": "",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(verb="admin.union.change")
    assert event.union == union and event.changes == {"name": ["海溪公司工会", "海溪集团工会"]}
