"""The audit log's personal words (an event's target name and recorded values) may be erased by 销毁."""

from django.db import migrations

from hardship.dbtriggers import erasable


class Migration(migrations.Migration):
    dependencies = [("hardship", "0006_export_job")]

    operations = [erasable("hardship_auditevent", "audit events are append-only", ("target_repr", "changes"))]
