"""The ``consent`` Piccolo app: consent notices and the consent ledger."""

from piccolo.conf.apps import AppConfig

from mupass_forum.consent.tables import ConsentEvent, ConsentNotice, ConsentRelease
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="consent",
    migrations_folder_path=str(migrations_dir("consent")),
    table_classes=[ConsentNotice, ConsentEvent, ConsentRelease],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
    ],
)
