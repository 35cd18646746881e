"""互助保障 claims carry the hospital stay they pay for, and who recorded them; amounts are capped.

Claims recorded before this migration get the stay date of their payment date and the recorder
of their enrolment, so the new columns can be required.
"""

from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def fill_existing_claims(apps, schema_editor):
    Claim = apps.get_model("cases", "MutualCoverClaim")
    Enrolment = apps.get_model("cases", "MutualCoverEnrolment")
    Claim.objects.update(
        treated_on=F("paid_on"),
        recorded_by=Subquery(Enrolment.objects.filter(pk=OuterRef("enrolment_id")).values("enrolled_by")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_support_and_dashboard_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="mutualcoverclaim", name="mutual_claim_amount_positive"),
        migrations.AlterModelOptions(
            name="mutualcoverclaim",
            options={
                "ordering": ["treated_on", "id"],
                "verbose_name": "互助保障赔付",
                "verbose_name_plural": "互助保障赔付",
            },
        ),
        migrations.AlterField(
            model_name="mutualcoverclaim",
            name="amount",
            field=models.DecimalField(decimal_places=2, max_digits=12, verbose_name="赔付金额（元）"),
        ),
        migrations.AddField(
            model_name="mutualcoverclaim",
            name="hospital",
            field=models.CharField(default="", max_length=100, verbose_name="医院"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="mutualcoverclaim",
            name="illness",
            field=models.CharField(default="", max_length=100, verbose_name="病种/诊断"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="mutualcoverclaim",
            name="recorded_at",
            field=models.DateTimeField(auto_now_add=True, default=django.utils.timezone.now, verbose_name="记录时间"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="mutualcoverclaim",
            name="treated_on",
            field=models.DateField(null=True, verbose_name="住院/就诊日期"),
        ),
        migrations.AddField(
            model_name="mutualcoverclaim",
            name="recorded_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="记录人",
            ),
        ),
        migrations.RunPython(fill_existing_claims, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="mutualcoverclaim",
            name="treated_on",
            field=models.DateField(verbose_name="住院/就诊日期"),
        ),
        migrations.AlterField(
            model_name="mutualcoverclaim",
            name="recorded_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="记录人",
            ),
        ),
        migrations.AddConstraint(
            model_name="mutualcoverclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0), ("amount__lte", Decimal("100000"))),
                name="mutual_claim_amount_capped",
                violation_error_message="赔付金额须大于 0 且不超过 100,000 元。",
            ),
        ),
        migrations.AddConstraint(
            model_name="mutualcoverclaim",
            constraint=models.CheckConstraint(
                condition=models.Q(("paid_on__gte", models.F("treated_on"))),
                name="mutual_claim_paid_after_treatment",
            ),
        ),
        migrations.AddConstraint(
            model_name="mutualcoverenrolment",
            constraint=models.CheckConstraint(
                condition=models.Q(("year__gte", 2000), ("year__lte", 2100)), name="mutual_cover_year_sane"
            ),
        ),
    ]
