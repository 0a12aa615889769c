from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-04T21:51:34:494965"
VERSION = "1.38.0"
DESCRIPTION = "Consent releases record the proof period they were made under"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="consent", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="ConsentRelease",
        tablename="consent_release",
        column_name="proof_days",
        db_column_name="proof_days",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
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
