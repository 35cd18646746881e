"""On PostgreSQL the fund ledger refuses UPDATE and DELETE: corrections are reversing entries."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION programs_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the fund ledger is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER programs_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON programs_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION programs_ledger_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS programs_ledgerentry_append_only ON programs_ledgerentry;
DROP FUNCTION IF EXISTS programs_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("programs", "0002_assistance")]

    operations = [migrations.RunPython(forwards, backwards)]
