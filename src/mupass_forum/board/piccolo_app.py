"""The ``board`` Piccolo app: categories, threads, posts, translations and what hangs on them."""

from piccolo.conf.apps import AppConfig

from mupass_forum.board.tables import (
    Category,
    DigestItem,
    Event,
    Flag,
    Follow,
    ModerationAction,
    NotificationSetting,
    Post,
    PostRevision,
    Reaction,
    Thread,
    Translation,
    TranslationWatcher,
)
from mupass_forum.paths import migrations_dir

APP_CONFIG = AppConfig(
    app_name="board",
    migrations_folder_path=str(migrations_dir("board")),
    table_classes=[
        Category,
        Thread,
        Post,
        PostRevision,
        Translation,
        TranslationWatcher,
        Reaction,
        Follow,
        Event,
        Flag,
        ModerationAction,
        NotificationSetting,
        DigestItem,
    ],
    migration_dependencies=[
        "mupass_forum.accounts.piccolo_app",
        "mupass_forum.forums.piccolo_app",
    ],
)
