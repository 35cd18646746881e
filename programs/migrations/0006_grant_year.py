"""The year of each grant application, for one open application per household, program and year
(issue 12, finding 6; the constraint is 0007, in a transaction of its own: PostgreSQL will not
alter a table with the updates below still pending in the same transaction).

Existing applications get the year they were made in (local time). Where a household already has
more than one open application for a program in a year, the furthest along (scheduled, then
approved, then the earliest) is kept and the others, never paid, are refused with a note saying
why; two already paid in one year cannot be settled here, and the migration stops and names them.
"""

from django.db import migrations, models
from django.utils import timezone

OPEN = ["applied", "approved", "scheduled"]
RANK = {"scheduled": 0, "approved": 1, "applied": 2}
NOTE = "重复申请：同一户同一项目每年度只保留一份申请，升级时由系统撤销"


def fill_year_and_withdraw_duplicates(apps, schema_editor):
    Grant = apps.get_model("programs", "Grant")
    kept: dict[tuple, object] = {}
    for grant in Grant.objects.order_by("applied_at", "id"):
        grant.year = timezone.localtime(grant.applied_at).year
        grant.save(update_fields=["year"])
        if grant.status not in OPEN:
            continue
        key = (grant.household_id, grant.program_id, grant.year)
        first = kept.setdefault(key, grant)
        if first is grant:
            continue
        keep, drop = sorted([first, grant], key=lambda g: (RANK[g.status], g.applied_at, g.pk))
        if drop.status == "scheduled":
            raise RuntimeError(
                f"household {grant.household_id}: grants {keep.pk} and {drop.pk} of program {grant.program_id} "
                f"were both scheduled for payment in {grant.year}; settle one before migrating"
            )
        kept[key] = keep
        drop.status, drop.decided_at, drop.decision_reason = "rejected", timezone.now(), NOTE
        drop.save(update_fields=["status", "decided_at", "decision_reason"])


class Migration(migrations.Migration):

    dependencies = [
        ("programs", "0005_dashboard_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="grant",
            name="year",
            field=models.PositiveSmallIntegerField(null=True, verbose_name="申请年度"),
        ),
        migrations.RunPython(fill_year_and_withdraw_duplicates, migrations.RunPython.noop),
    ]
