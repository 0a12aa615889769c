"""The ``proposals`` Piccolo app: proposals and the organizers' comments on them."""

from piccolo.conf.apps import AppConfig

from mupass_forum.paths import migrations_dir
from mupass_forum.proposals.tables import Proposal, ProposalComment

APP_CONFIG = AppConfig(
    app_name="proposals",
    migrations_folder_path=str(migrations_dir("proposals")),
    table_classes=[Proposal, ProposalComment],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
        "mupass_forum.registrations.piccolo_app",
    ],
)
