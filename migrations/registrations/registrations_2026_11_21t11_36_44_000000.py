"""Links mailed before they could expire count from when they were mailed: until then the
interest row's ``updated_at`` changed only when a fresh link was sent (or the row was
anonymized, which voids its link anyway)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T11:36:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "Interest links already mailed date from their last update"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registrations", description=DESCRIPTION)

    async def backfill():
        engine = engine_finder()
        await engine.run_ddl(
            "UPDATE registration_interest SET link_sent_at = updated_at WHERE link_sent_at IS NULL"
        )

    manager.add_raw(backfill)
    return manager
