"""Append-only tables: on PostgreSQL a trigger refuses UPDATE and DELETE at the database itself,
so no code path (the admin, a shell, raw SQL from the app) can rewrite history.

One exemption, narrow and declared per table (``erasable``): the 销毁 of a household's personal data
(``hardship.erasure``) may UPDATE the table's personal columns — only those, and only inside its
transaction-local window (``hardship.erasure = 'on'``). Any other column changed, a DELETE, or an
UPDATE outside the window is refused as before.
"""

from django.db import migrations


def _function(table: str, what: str, columns: tuple[str, ...] = ()) -> str:
    exemption = ""
    if columns:
        names = ", ".join(f"'{c}'" for c in columns)
        exemption = f"""
        IF TG_OP = 'UPDATE' AND current_setting('hardship.erasure', true) = 'on'
           AND (to_jsonb(NEW) - ARRAY[{names}]) = (to_jsonb(OLD) - ARRAY[{names}]) THEN
            RETURN NEW;
        END IF;"""
    return f"""
    CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
    BEGIN{exemption}
        RAISE EXCEPTION '{what} (% refused)', TG_OP;
    END;
    $$ LANGUAGE plpgsql;
    """


def append_only(table: str, what: str) -> migrations.RunPython:
    """A migration operation that makes ``table`` append-only (no-op on other databases)."""
    function = f"{table}_append_only"
    create = f"""{_function(table, what)}
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


def erasable(table: str, what: str, columns: tuple[str, ...]) -> migrations.RunPython:
    """A migration operation letting the erasure window UPDATE ``columns`` of append-only ``table``."""

    def forwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(table, what, columns), params=None)

    def backwards(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(_function(table, what), params=None)

    return migrations.RunPython(forwards, backwards)
