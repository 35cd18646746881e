"""The archive's household indexes and check, built without stopping the morning's work.

``CREATE INDEX CONCURRENTLY`` (outside a transaction: ``atomic = False``) and the check added
``NOT VALID`` then validated, which reads the table without blocking writes.
"""

from hardship.online_migrations import AddConstraintOnline, AddIndexOnline, ValidateConstraintOnline
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("cases", "0015_merge_20261203_2346"),
    ]

    operations = [
        AddIndexOnline(
            model_name="household",
            index=models.Index(
                condition=models.Q(("confirmed_at__isnull", True), ("status", "filed"), ("temporary_until__isnull", False)),
                fields=["temporary_until"],
                name="household_temporary_due",
            ),
        ),
        AddIndexOnline(
            model_name="household",
            index=models.Index(condition=models.Q(("closed_at__isnull", False)), fields=["closed_at"], name="household_closed_at"),
        ),
        AddConstraintOnline(
            model_name="household",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closed_at__isnull", False), ("status", "closed"), models.Q(("close_reason", ""), _negated=True)),
                    models.Q(models.Q(("status", "closed"), _negated=True), ("closed_at__isnull", True)),
                    _connector="OR",
                ),
                name="household_closed_has_date_and_reason",
            ),
        ),
        ValidateConstraintOnline(model_name="household", name="household_closed_has_date_and_reason"),
    ]
