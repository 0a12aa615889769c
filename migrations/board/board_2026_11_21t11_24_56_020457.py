from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-21T11:24:56:020457"
VERSION = "1.38.0"
DESCRIPTION = "Translations remember when a newer version replaced them"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="board", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Translation",
        tablename="board_translation",
        column_name="replaced_at",
        db_column_name="replaced_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
