"""Migration operations that do not stop the morning's work on PostgreSQL, and plain ones on SQLite.

On PostgreSQL an index is built ``CONCURRENTLY`` and a check or foreign key is added ``NOT VALID``
then validated (a read that does not block writes) — what tests/ops/test_migrations_online.py asks of
every migration on a large table. The laptop's SQLite has neither: there the plain operation runs.
"""

from django.contrib.postgres.operations import AddConstraintNotValid, AddIndexConcurrently, ValidateConstraint
from django.db import migrations


def _postgres(schema_editor) -> bool:
    return schema_editor.connection.vendor == "postgresql"


class AddIndexOnline(AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` (the migration needs ``atomic = False``); a plain index elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddIndex.database_backwards(self, app_label, schema_editor, from_state, to_state)


class AddConstraintOnline(AddConstraintNotValid):
    """The constraint ``NOT VALID`` on PostgreSQL (validate it with ``ValidateConstraintOnline``)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return migrations.AddConstraint.database_forwards(self, app_label, schema_editor, from_state, to_state)


class ValidateConstraintOnline(ValidateConstraint):
    """``VALIDATE CONSTRAINT`` on PostgreSQL; nothing to do where the constraint was added valid."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        return None


class AlterFieldNullOnline(migrations.AlterField):
    """A column made nullable: on PostgreSQL only ``DROP NOT NULL`` (instant; the foreign key and its
    indexes stay, never dropped and re-added under lock); elsewhere the plain ``AlterField``."""

    def _statement(self, schema_editor, state, app_label, action: str) -> str:
        model = state.apps.get_model(app_label, self.model_name)
        quote = schema_editor.quote_name
        column = model._meta.get_field(self.name).column
        return f"ALTER TABLE {quote(model._meta.db_table)} ALTER COLUMN {quote(column)} {action} NOT NULL"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return schema_editor.execute(self._statement(schema_editor, to_state, app_label, "DROP"))
        return super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if _postgres(schema_editor):
            return schema_editor.execute(self._statement(schema_editor, to_state, app_label, "SET"))
        return super().database_backwards(app_label, schema_editor, from_state, to_state)
