"""The ``registrations`` Piccolo app: interest, registrations, their history, seat desks,
workshop sign-ups."""

from piccolo.conf.apps import AppConfig

from mupass_forum.paths import migrations_dir
from mupass_forum.registrations.tables import (
    Interest,
    Registration,
    RegistrationDesk,
    RegistrationStatusChange,
    WorkshopDesk,
    WorkshopSignUp,
)

APP_CONFIG = AppConfig(
    app_name="registrations",
    migrations_folder_path=str(migrations_dir("registrations")),
    table_classes=[
        RegistrationDesk,
        Interest,
        Registration,
        RegistrationStatusChange,
        WorkshopDesk,
        WorkshopSignUp,
    ],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
        "mupass_forum.participants.piccolo_app",
    ],
)
