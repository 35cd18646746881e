"""Validate the ledger's sign-by-kind check re-added NOT VALID in 0013 (reads the ledger without blocking writes)."""

from django.db import migrations

from hardship.online_migrations import ValidateConstraintOnline


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0013_recovery_reversal"),
    ]

    operations = [
        ValidateConstraintOnline(model_name="ledgerentry", name="ledger_sign_by_kind"),
    ]
