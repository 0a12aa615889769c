"""The ledger's indexes, and triggers that keep notices and the ledger append-only.

Both tables are proof: what a person was shown and what they decided. The triggers make the
database refuse to change or remove a row whoever asks, the service, a script or a hand-typed
statement; only dropping the table (or the trigger) gets past them, which no code path does.
PostgreSQL also refuses ``TRUNCATE``, which bypasses row triggers.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:36:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "Append-only consent notices and ledger; the ledger's indexes"

APPEND_ONLY_TABLES = ("consent_notice", "consent_event")

INDEXES = (
    "CREATE UNIQUE INDEX consent_notice_forum_version ON consent_notice (forum, version)",
    # The latest decision per (person, medium, purpose) of a forum is one index probe each.
    'CREATE INDEX consent_event_forum_user_pair ON consent_event (forum, "user", medium, '
    "purpose, id)",
)

SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never changed or removed'); "
    "END"
    for table in APPEND_ONLY_TABLES
    for verb in ("UPDATE", "DELETE")
)

POSTGRES_FUNCTION = """
CREATE FUNCTION consent_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: rows are never changed or removed', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""

POSTGRES_TRIGGERS = tuple(
    statement
    for table in APPEND_ONLY_TABLES
    for statement in (
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION consent_reject_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION consent_reject_change()",
    )
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def protect():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if engine.engine_type == "postgres":
            await engine.run_ddl(POSTGRES_FUNCTION)
            for statement in POSTGRES_TRIGGERS:
                await engine.run_ddl(statement)
        else:
            for statement in SQLITE_TRIGGERS:
                await engine.run_ddl(statement)

    async def unprotect():
        engine = engine_finder()
        if engine.engine_type == "postgres":
            for table in APPEND_ONLY_TABLES:
                await engine.run_ddl(f"DROP TRIGGER {table}_append_only ON {table}")
                await engine.run_ddl(f"DROP TRIGGER {table}_no_truncate ON {table}")
            await engine.run_ddl("DROP FUNCTION consent_reject_change()")
        else:
            for table in APPEND_ONLY_TABLES:
                await engine.run_ddl(f"DROP TRIGGER {table}_no_update")
                await engine.run_ddl(f"DROP TRIGGER {table}_no_delete")
        await engine.run_ddl("DROP INDEX consent_event_forum_user_pair")
        await engine.run_ddl("DROP INDEX consent_notice_forum_version")

    manager.add_raw(protect)
    manager.add_raw_backwards(unprotect)
    return manager
