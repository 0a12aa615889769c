"""The ``accounts`` Piccolo app: users, sessions, one-time tokens, organizations, roles."""

from piccolo.conf.apps import AppConfig

from mupass_forum.accounts.tables import (
    Membership,
    OneTimeToken,
    Organization,
    Session,
    TranslatorRole,
    User,
)
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(migrations_dir("accounts")),
    table_classes=[User, Session, OneTimeToken, Organization, Membership, TranslatorRole],
    migration_dependencies=[],
)
