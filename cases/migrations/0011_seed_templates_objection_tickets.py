"""Seed the family messages' templates, and keep every past 公示 objection as a ticket (kind 公示异议)."""

import secrets

from django.db import migrations

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def forwards(apps, schema_editor):
    from cases.notices.models import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("cases", "MessageTemplate")
    for event, text in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(event=str(event), defaults={"text": text})
    Opinion = apps.get_model("cases", "Opinion")
    Ticket = apps.get_model("cases", "Ticket")
    for opinion in Opinion.objects.filter(decision="objection").select_related("household").iterator():
        day = opinion.created_at
        ticket = Ticket.objects.create(
            kind="objection", code="".join(secrets.choice(ALPHABET) for _ in range(10)),
            union_id=opinion.household.union_id, household_id=opinion.household_id, text=opinion.text or "—",
            recorded_by_id=opinion.actor_id, status="upheld", due_on=day.date(), closed_at=day,
            closed_by_id=opinion.actor_id, outcome="退回复审",
        )  # fmt: skip
        Ticket.objects.filter(pk=ticket.pk).update(created_at=day)


def backwards(apps, schema_editor):
    apps.get_model("cases", "Ticket").objects.filter(kind="objection").delete()
    apps.get_model("cases", "MessageTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_tickets_and_family_notices")]

    operations = [migrations.RunPython(forwards, backwards)]
