"""Pairs that must stay unique, and the order of the waiting list, which Piccolo's columns
cannot declare."""

from mupass_forum.raw_migrations import raw_migration

ID = "2026-12-05T02:23:52:999999"
VERSION = "1.38.0"
DESCRIPTION = (
    "One interest per address and forum, one registration per person and forum, "
    "one sign-up per registration and workshop"
)

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
    "registration_workshop_sign_up_item_registration": (
        "CREATE UNIQUE INDEX registration_workshop_sign_up_item_registration "
        "ON registration_workshop_sign_up (programme_item, registration)"
    ),
}


async def forwards():
    return raw_migration(
        app_name="registrations",
        migration_id=ID,
        description=DESCRIPTION,
        indexes=INDEXES,
    )
