"""The ``privacy`` Piccolo app: the erasure log and each forum's retention."""

from piccolo.conf.apps import AppConfig

from mupass_forum.paths import migrations_dir
from mupass_forum.privacy.tables import Erasure, ForumRetention

APP_CONFIG = AppConfig(
    app_name="privacy",
    migrations_folder_path=str(migrations_dir("privacy")),
    table_classes=[Erasure, ForumRetention],
    migration_dependencies=["mupass_forum.forums.piccolo_app"],
)
