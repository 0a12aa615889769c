"""One sign-up per registration and workshop, which Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:57:18:000000"
VERSION = "1.38.0"
DESCRIPTION = "One sign-up per registration and workshop"

INDEXES = {
    "registration_workshop_sign_up_item_registration": (
        "CREATE UNIQUE INDEX registration_workshop_sign_up_item_registration "
        "ON registration_workshop_sign_up (programme_item, registration)"
    ),
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="registrations", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in INDEXES.values():
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for name in INDEXES:
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
