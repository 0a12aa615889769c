"""The ledger's delete trigger lets retention remove the events of released forums.

The ledger stays append-only for everything else: ``UPDATE`` is refused as before, and so is a
``DELETE`` of any event whose forum has no row in ``consent_release``. Releases are written only
by the retention run, once a forum ended longer ago than the proof period, and are append-only
themselves, so that a release cannot be slipped in and taken back. Notices stay untouched: they
hold no personal data.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T09:14:55:000000"
VERSION = "1.38.0"
DESCRIPTION = "Consent events of released forums may be removed by retention"

RELEASED = "EXISTS (SELECT 1 FROM consent_release r WHERE r.forum = OLD.forum)"

SQLITE_FORWARDS = (
    "DROP TRIGGER consent_event_no_delete",
    "CREATE TRIGGER consent_event_no_delete BEFORE DELETE ON consent_event "
    f"WHEN NOT {RELEASED} "
    "BEGIN SELECT RAISE(ABORT, 'consent_event is append-only: rows are never changed, and "
    "removed only when their forum no longer needs them as proof'); END",
    *(
        f"CREATE TRIGGER consent_release_no_{verb.lower()} BEFORE {verb} ON consent_release "
        "BEGIN SELECT RAISE(ABORT, 'consent_release is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ),
)

SQLITE_BACKWARDS = (
    "DROP TRIGGER consent_release_no_update",
    "DROP TRIGGER consent_release_no_delete",
    "DROP TRIGGER consent_event_no_delete",
    "CREATE TRIGGER consent_event_no_delete BEFORE DELETE ON consent_event "
    "BEGIN SELECT RAISE(ABORT, 'consent_event is append-only: rows are never changed or "
    "removed'); END",
)

POSTGRES_FORWARDS = (
    f"""
CREATE FUNCTION consent_event_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND {RELEASED} THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'consent_event is append-only: rows are never changed, and removed only '
        'when their forum no longer needs them as proof' USING ERRCODE = 'restrict_violation';
END
$$
""",
    "DROP TRIGGER consent_event_append_only ON consent_event",
    "CREATE TRIGGER consent_event_append_only BEFORE UPDATE OR DELETE ON consent_event "
    "FOR EACH ROW EXECUTE FUNCTION consent_event_reject_change()",
    # The migration before this one made the general function; releases use it as they are.
    "CREATE TRIGGER consent_release_append_only BEFORE UPDATE OR DELETE ON consent_release "
    "FOR EACH ROW EXECUTE FUNCTION consent_reject_change()",
    "CREATE TRIGGER consent_release_no_truncate BEFORE TRUNCATE ON consent_release "
    "FOR EACH STATEMENT EXECUTE FUNCTION consent_reject_change()",
)

POSTGRES_BACKWARDS = (
    "DROP TRIGGER consent_release_no_truncate ON consent_release",
    "DROP TRIGGER consent_release_append_only ON consent_release",
    "DROP TRIGGER consent_event_append_only ON consent_event",
    "CREATE TRIGGER consent_event_append_only BEFORE UPDATE OR DELETE ON consent_event "
    "FOR EACH ROW EXECUTE FUNCTION consent_reject_change()",
    "DROP FUNCTION consent_event_reject_change()",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="consent", description=DESCRIPTION)

    async def run(postgres, sqlite):
        engine = engine_finder()
        for statement in postgres if engine.engine_type == "postgres" else sqlite:
            await engine.run_ddl(statement)

    async def allow_released():
        await run(POSTGRES_FORWARDS, SQLITE_FORWARDS)

    async def forbid_again():
        await run(POSTGRES_BACKWARDS, SQLITE_BACKWARDS)

    manager.add_raw(allow_released)
    manager.add_raw_backwards(forbid_again)
    return manager
