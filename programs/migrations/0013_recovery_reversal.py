"""冲正 of a recovery instalment: the receivable's reversal entry and the fund ledger's 追回冲正 row."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from hardship.online_migrations import AddConstraintOnline


class Migration(migrations.Migration):

    dependencies = [
        ('programs', '0012_validate_ledger_sign'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='ledgerentry',
            name='ledger_sign_by_kind',
        ),
        migrations.RemoveConstraint(
            model_name='receivableentry',
            name='receivable_entry_sign_by_kind',
        ),
        migrations.AddField(
            model_name='receivableentry',
            name='reverses',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversal', to='programs.receivableentry', verbose_name='冲正的收回记录'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='kind',
            field=models.CharField(choices=[('allocation', '预算拨入'), ('payment', '批次发放'), ('reversal', '冲回'), ('recovery', '追回入账'), ('recovery_reversal', '追回冲正')], max_length=20, verbose_name='类型'),
        ),
        migrations.AlterField(
            model_name='receivableentry',
            name='kind',
            field=models.CharField(choices=[('raised', '登记应追回'), ('instalment', '收回'), ('write_off', '核销'), ('reversal', '冲正')], max_length=20, verbose_name='类型'),
        ),
        # The ledger is large: its new check is added NOT VALID, validated by 0014 without blocking writes.
        AddConstraintOnline(
            model_name='ledgerentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('kind', 'allocation')), models.Q(('amount__lt', 0), ('kind', 'payment')), models.Q(('amount__gt', 0), ('kind', 'reversal')), models.Q(('amount__gt', 0), ('kind', 'recovery')), models.Q(('amount__lt', 0), ('kind', 'recovery_reversal')), _connector='OR'), name='ledger_sign_by_kind'),
        ),
        migrations.AddConstraint(
            model_name='receivableentry',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('amount__gt', 0), ('kind', 'raised'), ('ledger_entry__isnull', True), ('reverses__isnull', True)), models.Q(('amount__lt', 0), ('kind', 'instalment'), ('ledger_entry__isnull', False), ('received_on__isnull', False), ('reverses__isnull', True)), models.Q(('amount__lt', 0), ('kind', 'write_off'), ('ledger_entry__isnull', True), ('reverses__isnull', True)), models.Q(('amount__gt', 0), ('kind', 'reversal'), ('ledger_entry__isnull', False), ('received_on__isnull', False), ('reverses__isnull', False)), _connector='OR'), name='receivable_entry_sign_by_kind'),
        ),
    ]
