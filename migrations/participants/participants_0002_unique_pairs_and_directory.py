"""Indexes Piccolo's columns cannot declare.

The unique pairs also serve the directory's filters: ``EXISTS (... WHERE profile = p.id AND
code = ?)`` is one lookup. The directory pages by ``(sort_name, "user")``; PostgreSQL compares
it in byte order (``COLLATE "C"``), as SQLite does, so both databases list people alike.
"""

from mupass_forum.raw_migrations import Statements, raw_migration

ID = "2026-12-05T02:23:51:999999"
VERSION = "1.38.0"
DESCRIPTION = "Unique languages and topics per profile; the directory's order"

INDEXES = {
    "participant_profile_language_profile_code": (
        "CREATE UNIQUE INDEX participant_profile_language_profile_code "
        "ON participant_profile_language (profile, code)"
    ),
    "participant_profile_topic_profile_topic": (
        "CREATE UNIQUE INDEX participant_profile_topic_profile_topic "
        "ON participant_profile_topic (profile, topic)"
    ),
}
DIRECTORY = (
    "CREATE INDEX participant_profile_directory_order "
    'ON participant_profile (sort_name{collate}, "user")'
)


async def forwards():
    return raw_migration(
        app_name="participants",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
        forwards=Statements(
            sqlite=(DIRECTORY.format(collate=""),),
            postgres=(DIRECTORY.format(collate=' COLLATE "C"'),),
        ),
        backwards=Statements(common=("DROP INDEX participant_profile_directory_order",)),
    )
