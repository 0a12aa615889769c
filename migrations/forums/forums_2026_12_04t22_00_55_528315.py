from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T22:00:55:528315"
VERSION = "1.38.0"
DESCRIPTION = "Forums of the demonstration data are marked, so retention leaves them alone"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="forums", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Forum",
        tablename="forum",
        column_name="is_demo",
        db_column_name="is_demo",
        column_class_name="Boolean",
        column_class=Boolean,
        params={
            "default": False,
            "null": False,
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
