"""Pairs that must stay unique, and the orders pages are read in, which Piccolo's columns
cannot declare."""

from mupass_forum.raw_migrations import raw_migration

ID = "2026-12-05T02:23:49:999999"
VERSION = "1.38.0"
DESCRIPTION = "One partnership per forum and organization, one role of a kind per person and forum"

INDEXES = {
    "forum_partner_forum_organization": (
        "CREATE UNIQUE INDEX forum_partner_forum_organization "
        "ON forum_partner (forum, organization)"
    ),
    "forum_role_forum_user_role": (
        'CREATE UNIQUE INDEX forum_role_forum_user_role ON forum_role (forum, "user", role)'
    ),
    "forum_series_id": "CREATE INDEX forum_series_id ON forum (series)",
    # Keyset pages of the forum list are ordered by (starts_at, id).
    "forum_starts_at_id": "CREATE INDEX forum_starts_at_id ON forum (starts_at, id)",
    "forum_programme_item_forum_starts_at": (
        "CREATE INDEX forum_programme_item_forum_starts_at "
        "ON forum_programme_item (forum, starts_at, id)"
    ),
}


async def forwards():
    return raw_migration(
        app_name="forums",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
    )
