"""One open grant application per household, program and year (issue 12, finding 6)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0006_grant_year"),
    ]

    operations = [
        migrations.AlterField(
            model_name="grant",
            name="year",
            field=models.PositiveSmallIntegerField(verbose_name="申请年度"),
        ),
        migrations.AddConstraint(
            model_name="grant",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["applied", "approved", "scheduled"])),
                fields=("household", "program", "year"),
                name="grant_one_open_per_household_program_year",
                violation_error_message="该户本年度已有一份该项目的申请，不能重复申请。",
            ),
        ),
    ]
