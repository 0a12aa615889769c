from piccolo.conf.apps import AppConfig

from mupass_forum.mail.tables import OutboxMail
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="mail",
    migrations_folder_path=str(migrations_dir("mail")),
    table_classes=[OutboxMail],
    migration_dependencies=[],
)
