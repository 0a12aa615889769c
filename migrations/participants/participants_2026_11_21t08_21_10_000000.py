"""Indexes Piccolo's columns cannot declare.

The unique pairs also serve the directory's filters: ``EXISTS (... WHERE profile = p.id AND
code = ?)`` is one lookup. The directory pages by ``(sort_name, "user")``; PostgreSQL compares
it in byte order (``COLLATE "C"``), as SQLite does, so both databases list people alike.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-21T08:21:10:000000"
VERSION = "1.38.0"
DESCRIPTION = "Unique languages and topics per profile; the directory's order"

STATEMENTS = (
    "CREATE UNIQUE INDEX participant_profile_language_profile_code "
    "ON participant_profile_language (profile, code)",
    "CREATE UNIQUE INDEX participant_profile_topic_profile_topic "
    "ON participant_profile_topic (profile, topic)",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="participants", description=DESCRIPTION)

    async def create_indexes():
        engine = engine_finder()
        for statement in STATEMENTS:
            await engine.run_ddl(statement)
        collate = ' COLLATE "C"' if engine.engine_type == "postgres" else ""
        await engine.run_ddl(
            "CREATE INDEX participant_profile_directory_order "
            f'ON participant_profile (sort_name{collate}, "user")'
        )

    async def drop_indexes():
        engine = engine_finder()
        await engine.run_ddl("DROP INDEX participant_profile_language_profile_code")
        await engine.run_ddl("DROP INDEX participant_profile_topic_profile_topic")
        await engine.run_ddl("DROP INDEX participant_profile_directory_order")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
