"""The ``forums`` Piccolo app: series, forums, partners, roles and programme items."""

from piccolo.conf.apps import AppConfig

from mupass_forum.forums.tables import Forum, ForumPartner, ForumRole, ForumSeries, ProgrammeItem
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="forums",
    migrations_folder_path=str(migrations_dir("forums")),
    table_classes=[ForumSeries, Forum, ForumPartner, ForumRole, ProgrammeItem],
    migration_dependencies=["mupass_forum.accounts.piccolo_app"],
)
