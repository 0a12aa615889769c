"""The ``registrations`` Piccolo app: interest, registrations, their history, seat desks."""

from piccolo.conf.apps import AppConfig

from mupass_forum.paths import migrations_dir
from mupass_forum.registrations.tables import (
    Interest,
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
)

APP_CONFIG = AppConfig(
    app_name="registrations",
    migrations_folder_path=str(migrations_dir("registrations")),
    table_classes=[RegistrationDesk, Interest, Registration, RegistrationStatusChange],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
        "mupass_forum.participants.piccolo_app",
    ],
)
