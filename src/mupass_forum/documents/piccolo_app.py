"""The ``documents`` Piccolo app: passport details, letterheads, issued documents, badge prints."""

from piccolo.conf.apps import AppConfig

from mupass_forum.documents.tables import BadgePrint, IssuedDocument, Letterhead, VisaDetails
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="documents",
    migrations_folder_path=str(migrations_dir("documents")),
    table_classes=[VisaDetails, Letterhead, IssuedDocument, BadgePrint],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
        "mupass_forum.registrations.piccolo_app",
    ],
)
