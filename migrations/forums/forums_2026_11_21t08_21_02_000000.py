"""Pairs that must stay unique, which Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:21:02:000000"
VERSION = "1.38.0"
DESCRIPTION = "One partnership per forum and organization, one role of a kind per person and forum"

STATEMENTS = (
    "CREATE UNIQUE INDEX forum_partner_forum_organization "
    "ON forum_partner (forum, organization)",
    'CREATE UNIQUE INDEX forum_role_forum_user_role ON forum_role (forum, "user", role)',
    "CREATE INDEX forum_series_id ON forum (series)",
    # Keyset pages of the forum list are ordered by (starts_at, id).
    "CREATE INDEX forum_starts_at_id ON forum (starts_at, id)",
    "CREATE INDEX forum_programme_item_forum_starts_at "
    "ON forum_programme_item (forum, starts_at, id)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="forums", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        for name in (
            "forum_series_id",
            "forum_partner_forum_organization",
            "forum_role_forum_user_role",
            "forum_starts_at_id",
            "forum_programme_item_forum_starts_at",
        ):
            await engine.run_ddl(f"DROP INDEX {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
