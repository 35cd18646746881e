"""The audit log: masked values, append-only, scoped reading."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from hardship.models import AuditEvent, Role
from hardship.services import audit_record
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_audit_record_masks_personal_data_and_keeps_the_rest(tree, in_scope_user):
    event = audit_record(
        actor=in_scope_user,
        verb="household.update",
        target=tree["company"],
        changes={
            "id_number": ("11010519491231002X", "440524188001010014"),
            "bank_card": (None, "6222021234567891234"),
            "address": ("旧地址", "新地址"),
        },
    )

    event.refresh_from_db()
    assert event.changes["id_number"] == ["110105********002X", "440524********0014"]
    assert event.changes["bank_card"] == [None, "6222 **** **** 1234"]
    assert event.changes["address"] == ["旧地址", "新地址"]
    assert "11010519491231002X" not in str(event.changes)


def test_audit_events_cannot_be_edited_or_deleted(tree, in_scope_user):
    event = audit_record(actor=in_scope_user, verb="x.y", target=tree["company"])

    with pytest.raises(PermissionError):
        event.verb = "changed"
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="changed")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"


@pytest.mark.postgres
def test_the_database_itself_refuses_to_rewrite_an_audit_event(tree, in_scope_user):
    event = audit_record(actor=in_scope_user, verb="x.y", target=tree["company"])

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE hardship_auditevent SET verb = 'forged' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM hardship_auditevent WHERE id = %s", [event.pk])


def test_the_admin_offers_no_way_to_change_an_audit_event(client, tree):
    from tests.factories import UserFactory

    admin = UserFactory(is_staff=True, is_superuser=True)
    event = audit_record(actor=admin, verb="x.y", target=tree["company"])
    client.force_login(admin)

    change = client.post(reverse("admin:hardship_auditevent_change", args=[event.pk]), {"verb": "forged"})
    delete = client.post(reverse("admin:hardship_auditevent_delete", args=[event.pk]), {"post": "yes"})

    assert change.status_code in (302, 403) and delete.status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == "x.y"
    assert client.get(reverse("admin:hardship_auditevent_add")).status_code == 403


def test_audit_list_shows_only_events_of_the_readers_unions(client, tree):
    huishan_observer = user_with_role(Role.DISCIPLINE_OBSERVER, tree["huishan"])
    audit_record(actor=None, verb="case.visit", target=tree["company"])
    audit_record(actor=None, verb="case.secret", target=tree["lihu"])
    client.force_login(huishan_observer)

    response = client.get(reverse("hardship:audit_list"))

    verbs = {e.verb for e in response.context["page"].object_list}
    assert "case.visit" in verbs
    assert "case.secret" not in verbs


def test_grassroots_staff_cannot_read_the_audit_log(client, tree):
    client.force_login(user_with_role(Role.GRASSROOTS_STAFF, tree["company"]))

    assert client.get(reverse("hardship:audit_list")).status_code == 403
