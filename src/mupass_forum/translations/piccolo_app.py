"""The ``translations`` Piccolo app: the change log of translated content."""

from piccolo.conf.apps import AppConfig

from mupass_forum.paths import migrations_dir
from mupass_forum.translations.tables import TextChange

APP_CONFIG = AppConfig(
    app_name="translations",
    migrations_folder_path=str(migrations_dir("translations")),
    table_classes=[TextChange],
    migration_dependencies=["mupass_forum.accounts.piccolo_app"],
)
