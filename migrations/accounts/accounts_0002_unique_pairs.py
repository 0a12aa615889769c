"""Pairs that must stay unique, which Piccolo's columns cannot declare."""

from mupass_forum.raw_migrations import raw_migration

ID = "2026-12-05T02:23:48:999999"
VERSION = "1.38.0"
DESCRIPTION = "One membership per person and organization, one translator role per locale"

INDEXES = {
    "account_membership_organization_user": (
        "CREATE UNIQUE INDEX account_membership_organization_user "
        'ON account_membership (organization, "user")'
    ),
    "account_translator_role_user_locale": (
        "CREATE UNIQUE INDEX account_translator_role_user_locale "
        'ON account_translator_role ("user", locale)'
    ),
}


async def forwards():
    return raw_migration(
        app_name="accounts",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
    )
