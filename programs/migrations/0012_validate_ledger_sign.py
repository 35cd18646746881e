"""Validate the ledger's sign-by-kind check added NOT VALID in 0008 (reads the ledger without blocking writes)."""

from hardship.online_migrations import ValidateConstraintOnline
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0011_merge_20261203_2346"),
    ]

    operations = [
        ValidateConstraintOnline(model_name="ledgerentry", name="ledger_sign_by_kind"),
    ]
