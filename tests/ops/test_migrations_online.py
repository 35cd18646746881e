"""Migrations run while the old release still serves: none may lock a large table against writes.

Each migration of the portal's apps is turned into the SQL PostgreSQL would run (as
``sqlmigrate`` does: MigrationLoader, then the schema editor in collect-only mode), and every
statement on a large table is checked for what blocks writes for as long as the table is big:

- ``CREATE [UNIQUE] INDEX`` without ``CONCURRENTLY`` (use
  ``django.contrib.postgres.operations.AddIndexConcurrently`` in a migration with
  ``atomic = False``);
- ``ADD COLUMN … NOT NULL`` without a default (fails outright on a table with rows), or with a
  volatile default (a function call: every row is rewritten under an exclusive lock);
- ``ALTER COLUMN … TYPE`` (rewrites the table) and ``ALTER COLUMN … SET NOT NULL`` (scans it
  under an exclusive lock): split into expand (new nullable column) / backfill (in batches) /
  contract (a later release);
- ``ADD CONSTRAINT`` of a check or foreign key without ``NOT VALID`` (scans the table under
  lock; add it ``NOT VALID`` with RunSQL, then ``VALIDATE CONSTRAINT`` in another migration).

The migrations that do one of these and were written before this check are listed below,
frozen: they ran when the portal was installed, on empty tables, so their locks cost nothing.
Nothing is added to that list: a new migration on a large table takes the online path.
"""

import re

import pytest
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

pytestmark = [pytest.mark.postgres]

PROJECT_APPS = ("hardship", "cases", "programs", "api", "ops")
# The tables that grow with the city: a lock on them stops the morning's work.
LARGE_TABLES = frozenset({
    "cases_household", "cases_member", "programs_entitlement", "programs_payment", "programs_ledgerentry",
    "hardship_auditevent",
})  # fmt: skip
INSTALL_TIME = "ran at install time on empty tables, before the online-migration check existed"
HISTORIC = {
    ("hardship", "0001_initial"): INSTALL_TIME,
    ("cases", "0001_households"): INSTALL_TIME,
    ("cases", "0002_review"): INSTALL_TIME,
    ("cases", "0003_household_list_indexes"): INSTALL_TIME,
    ("cases", "0004_household_sort_indexes"): INSTALL_TIME,
    ("cases", "0005_support_and_dashboard_indexes"): INSTALL_TIME,
    ("programs", "0002_assistance"): INSTALL_TIME,
    ("programs", "0004_lean_indexes"): INSTALL_TIME,
}

_TABLE = r'"?(?P<table>\w+)"?'
_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(UNIQUE\s+)?INDEX\s+(?P<concurrently>CONCURRENTLY\s+)?"
                           r"(IF\s+NOT\s+EXISTS\s+)?\S+\s+ON\s+(ONLY\s+)?" + _TABLE, re.I)  # fmt: skip
_ALTER_TABLE = re.compile(
    r"^\s*ALTER\s+TABLE\s+(IF\s+EXISTS\s+)?(ONLY\s+)?" + _TABLE + r"\s+(?P<rest>.*)$", re.I | re.S
)
_ADD_COLUMN = re.compile(r"ADD\s+COLUMN\s+(?P<column>.*?)(?=,\s*(ADD|ALTER|DROP)\s|$)", re.I | re.S)
_VOLATILE_DEFAULT = re.compile(r"\bDEFAULT\s+\(*\s*[a-z_][\w.]*\s*\(", re.I)


def blocking_statements(statements: list[str]) -> list[str]:
    """The statements among ``statements`` that would block writes to a large table; each with the reason."""
    found = []
    for statement in statements:
        if (match := _CREATE_INDEX.match(statement)) and match["table"] in LARGE_TABLES:
            if not match["concurrently"]:
                found.append(f"index without CONCURRENTLY: {statement.strip()}")
            continue
        match = _ALTER_TABLE.match(statement)
        if not match or match["table"] not in LARGE_TABLES:
            continue
        rest = match["rest"]
        for column in _ADD_COLUMN.finditer(rest):
            definition = column["column"]
            if _VOLATILE_DEFAULT.search(definition):
                found.append(f"column with a volatile default (rewrites the table): {statement.strip()}")
            elif re.search(r"\bNOT\s+NULL\b", definition, re.I) and not re.search(r"\bDEFAULT\b", definition, re.I):
                found.append(f"NOT NULL column without a default: {statement.strip()}")
        if re.search(r"\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b", rest, re.I):
            found.append(f"column type change (rewrites the table): {statement.strip()}")
        if re.search(r"\bALTER\s+COLUMN\s+\S+\s+SET\s+NOT\s+NULL\b", rest, re.I):
            found.append(f"SET NOT NULL (scans the table under lock): {statement.strip()}")
        if re.search(r"\bADD\s+CONSTRAINT\b.*\b(CHECK|FOREIGN\s+KEY)\b", rest, re.I | re.S) and not re.search(
            r"\bNOT\s+VALID\b", rest, re.I
        ):
            found.append(f"constraint without NOT VALID (scans the table under lock): {statement.strip()}")
    return found


def migration_sql(loader: MigrationLoader, migration, state=None) -> list[str]:
    """The SQL ``migration`` runs on PostgreSQL (what ``sqlmigrate`` prints), statement by statement."""
    if state is None:
        state = loader.project_state((migration.app_label, migration.name), at_end=False)
    with connection.schema_editor(collect_sql=True, atomic=migration.atomic) as editor:
        migration.apply(state, editor, collect_sql=True)
    return [statement for statement in editor.collected_sql if not statement.lstrip().startswith("--")]


@pytest.fixture(scope="module")
def loader(django_db_blocker):
    with django_db_blocker.unblock():
        return MigrationLoader(connection, ignore_no_migrations=True, load=True)


def _project_migrations(loader):
    return sorted(key for key in loader.disk_migrations if key[0] in PROJECT_APPS)


def test_no_new_migration_locks_a_large_table_against_writes(loader, django_db_blocker):
    problems = {}
    with django_db_blocker.unblock():
        for key in _project_migrations(loader):
            if key in HISTORIC:
                continue
            if found := blocking_statements(migration_sql(loader, loader.disk_migrations[key])):
                problems[key] = found
    assert not problems, (
        "these migrations block writes to a large table while they run; build indexes with "
        "AddIndexConcurrently (atomic = False) and split column changes into expand / backfill / contract: "
        f"{problems}"
    )


def test_the_historic_allow_list_names_only_migrations_that_exist(loader):
    # A stale entry would let a future migration of the same name through unchecked. (Whether an old
    # AlterField still "needs" its entry is not asked: the SQL Django collects for it depends on what
    # earlier migrate runs in the same process left on the shared operation objects.)
    assert not [key for key in HISTORIC if key not in loader.disk_migrations]


def _migration(name, operations, *, atomic=True):
    migration = migrations.Migration(name, "cases")
    migration.operations, migration.atomic = operations, atomic
    return migration


def test_a_new_index_on_the_household_table_built_without_concurrently_fails_the_check(loader, django_db_blocker):
    index = models.Index(fields=["head_name", "union"], name="household_head_union")
    blocking = _migration("0999_blocking", [migrations.AddIndex(model_name="household", index=index)])
    online = _migration("0999_online", [AddIndexConcurrently(model_name="household", index=index)], atomic=False)

    with django_db_blocker.unblock():
        state = loader.project_state()
        blocking_found = blocking_statements(migration_sql(loader, blocking, state.clone()))
        online_found = blocking_statements(migration_sql(loader, online, state.clone()))

    assert len(blocking_found) == 1 and "household_head_union" in blocking_found[0]
    assert online_found == []


def test_column_changes_that_rewrite_or_lock_a_large_table_fail_the_check(loader, django_db_blocker):
    nullable = models.CharField(max_length=20, null=True)  # a nullable column is the expand step: allowed
    expand = _migration("0999_expand", [migrations.AddField("member", "nickname", nullable)])
    retype = _migration("0999_retype", [migrations.AlterField("household", "head_name", models.TextField())])

    with django_db_blocker.unblock():
        state = loader.project_state()
        assert blocking_statements(migration_sql(loader, expand, state.clone())) == []
        assert any("type change" in p for p in blocking_statements(migration_sql(loader, retype, state.clone())))


def test_the_checker_reads_volatile_defaults_not_null_and_unvalidated_constraints():
    assert blocking_statements(['ALTER TABLE "cases_member" ADD COLUMN "token" uuid DEFAULT (gen_random_uuid()) '
                                "NOT NULL"])  # fmt: skip
    assert blocking_statements(['ALTER TABLE "programs_payment" ADD COLUMN "n" integer NOT NULL'])
    assert blocking_statements(['ALTER TABLE "cases_household" ALTER COLUMN "tier" SET NOT NULL'])
    assert blocking_statements(['ALTER TABLE "programs_payment" ADD CONSTRAINT "c" CHECK ("amount" > 0)'])
    assert not blocking_statements(['ALTER TABLE "programs_payment" ADD CONSTRAINT "c" CHECK ("amount" > 0) NOT VALID'])
    assert not blocking_statements(['ALTER TABLE "cases_member" ADD COLUMN "n" integer DEFAULT 0 NOT NULL'])
    assert not blocking_statements(['CREATE INDEX "x" ON "programs_program" ("code")'])  # a small table
