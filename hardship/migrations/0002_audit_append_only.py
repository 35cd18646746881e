"""On PostgreSQL the audit table refuses UPDATE and DELETE at the database itself,
so no code path (admin, shell, raw SQL from the app) can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION hardship_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER hardship_auditevent_append_only
    BEFORE UPDATE OR DELETE ON hardship_auditevent
    FOR EACH ROW EXECUTE FUNCTION hardship_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS hardship_auditevent_append_only ON hardship_auditevent;
DROP FUNCTION IF EXISTS hardship_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("hardship", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
