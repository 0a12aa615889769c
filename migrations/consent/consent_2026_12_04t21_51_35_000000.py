"""The ledger cannot be rewritten through releases or SQLite's ``INSERT OR REPLACE``.

A release (the row that lets retention delete a forum's consent events) is accepted only for a
forum that ended at least its ``proof_days`` (one at least) before the release, so a release
slipped in for a forum that is not over cannot open its events to ``DELETE``. On SQLite an
``INSERT OR REPLACE`` removes the row it conflicts with without firing delete triggers (unless
recursive triggers are on): an insert that would replace an event, a notice or a release is
refused before the conflict is resolved. PostgreSQL has no such statement (``ON CONFLICT DO
UPDATE`` fires the update triggers, which refuse).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-04T21:51:35:000000"
VERSION = "1.38.0"
DESCRIPTION = "Releases only for forums past their proof period; no replacing ledger rows"

SQLITE_PAST_PROOF = (
    "NEW.proof_days >= 1 AND EXISTS (SELECT 1 FROM forum f WHERE f.id = NEW.forum "
    "AND julianday(f.ends_at) + NEW.proof_days <= julianday('now'))"
)

#: Each ledger table, and what an insert conflicts with besides its id.
SQLITE_REPLACEABLE = {
    "consent_event": "",
    "consent_notice": " OR (forum = NEW.forum AND version = NEW.version)",
    "consent_release": " OR forum = NEW.forum",
}

SQLITE_FORWARDS = (
    "CREATE TRIGGER consent_release_past_proof BEFORE INSERT ON consent_release "
    f"WHEN NOT ({SQLITE_PAST_PROOF}) "
    "BEGIN SELECT RAISE(ABORT, 'consent_release is only for forums past their proof period'); "
    "END",
    *(
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id{also}) "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never replaced'); END"
        for table, also in SQLITE_REPLACEABLE.items()
    ),
)

SQLITE_BACKWARDS = (
    "DROP TRIGGER consent_release_past_proof",
    *(f"DROP TRIGGER {table}_no_replace" for table in SQLITE_REPLACEABLE),
)

POSTGRES_FORWARDS = (
    """
CREATE FUNCTION consent_release_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.proof_days >= 1 AND EXISTS (
        SELECT 1 FROM forum f WHERE f.id = NEW.forum
        AND f.ends_at + make_interval(days => NEW.proof_days) <= now()
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_release is only for forums past their proof period'
        USING ERRCODE = 'restrict_violation';
END
$$
""",
    "CREATE TRIGGER consent_release_past_proof BEFORE INSERT ON consent_release "
    "FOR EACH ROW EXECUTE FUNCTION consent_release_check()",
)

POSTGRES_BACKWARDS = (
    "DROP TRIGGER consent_release_past_proof ON consent_release",
    "DROP FUNCTION consent_release_check()",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def run(postgres, sqlite):
        engine = engine_finder()
        for statement in postgres if engine.engine_type == "postgres" else sqlite:
            await engine.run_ddl(statement)

    async def guard():
        await run(POSTGRES_FORWARDS, SQLITE_FORWARDS)

    async def unguard():
        await run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(guard)
    manager.add_raw_backwards(unguard)
    return manager
