"""Append-only tables: on PostgreSQL a trigger refuses UPDATE and DELETE at the database itself,
so no code path (the admin, a shell, raw SQL from the app) can rewrite history."""

from django.db import migrations


def append_only(table: str, what: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` append-only (no-op on other databases)."""
    function = f"{table}_append_only"
    create = f"""
    CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{what} (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    CREATE TRIGGER {function} BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {function}();
    """
    drop = f"DROP TRIGGER IF EXISTS {function} ON {table}; DROP FUNCTION IF EXISTS {function}();"

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forwards, backwards)
