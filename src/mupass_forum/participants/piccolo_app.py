"""The ``participants`` Piccolo app: profiles, their languages and topics."""

from piccolo.conf.apps import AppConfig

from mupass_forum.participants.tables import Profile, ProfileLanguage, ProfileTopic
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="participants",
    migrations_folder_path=str(migrations_dir("participants")),
    table_classes=[Profile, ProfileLanguage, ProfileTopic],
    migration_dependencies=["mupass_forum.accounts.piccolo_app"],
)
