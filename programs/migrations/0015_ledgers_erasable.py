"""The ledgers' memos may be erased by 销毁 (a memo can name the payee); their amounts never."""

from django.db import migrations

from hardship.dbtriggers import erasable


class Migration(migrations.Migration):
    dependencies = [("programs", "0014_validate_ledger_sign_reversal")]

    operations = [
        erasable("programs_ledgerentry", "the fund ledger is append-only", ("memo",)),
        erasable("programs_receivableentry", "the recovery ledger is append-only", ("memo",)),
    ]
