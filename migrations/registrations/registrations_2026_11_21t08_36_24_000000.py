"""Pairs that must stay unique, and the order of the waiting list, which Piccolo's columns
cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:36:24:000000"
VERSION = "1.38.0"
DESCRIPTION = "One interest per address and forum, one registration per person and forum"

INDEXES = {
    "registration_interest_forum_email": (
        "CREATE UNIQUE INDEX registration_interest_forum_email "
        "ON registration_interest (forum, email)"
    ),
    "registration_forum_user": (
        'CREATE UNIQUE INDEX registration_forum_user ON registration (forum, "user")'
    ),
    # The waiting list in order, and keyset pages of a forum's registrations.
    "registration_forum_status_ticket": (
        "CREATE INDEX registration_forum_status_ticket ON registration (forum, status, ticket)"
    ),
    "registration_forum_id": "CREATE INDEX registration_forum_id ON registration (forum, id)",
    "registration_status_change_registration_id": (
        "CREATE INDEX registration_status_change_registration_id "
        "ON registration_status_change (registration, id)"
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
