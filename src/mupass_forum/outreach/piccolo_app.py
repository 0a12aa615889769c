"""The ``outreach`` Piccolo app: organizers' messages, deliveries, reminders, mail choices."""

from piccolo.conf.apps import AppConfig

from mupass_forum.outreach.tables import (
    ForumReminder,
    MessageDelivery,
    OrganizerMailChoice,
    ParticipantMessage,
)
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="outreach",
    migrations_folder_path=str(migrations_dir("outreach")),
    table_classes=[ParticipantMessage, MessageDelivery, ForumReminder, OrganizerMailChoice],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
    ],
)
