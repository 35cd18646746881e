from django.db import migrations

from hardship.dbtriggers import append_only


class Migration(migrations.Migration):
    dependencies = [("hardship", "0001_initial")]

    operations = [append_only("hardship_auditevent", "audit events are append-only")]
