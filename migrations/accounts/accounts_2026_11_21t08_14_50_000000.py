"""Pairs that must stay unique, which Piccolo's columns cannot declare."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:14:50:000000"
VERSION = "1.38.0"
DESCRIPTION = "One membership per person and organization, one translator role per locale"

STATEMENTS = (
    "CREATE UNIQUE INDEX account_membership_organization_user "
    'ON account_membership (organization, "user")',
    "CREATE UNIQUE INDEX account_translator_role_user_locale "
    'ON account_translator_role ("user", locale)',
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="accounts", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)

    async def drop_indexes():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX account_membership_organization_user")
        await engine.run_ddl("DROP INDEX account_translator_role_user_locale")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
