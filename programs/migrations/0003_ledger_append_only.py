from django.db import migrations

from hardship.dbtriggers import append_only


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_assistance")]

    operations = [append_only("programs_ledgerentry", "the fund ledger is append-only")]
