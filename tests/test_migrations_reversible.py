"""Every migration can be undone: all of them forwards, backwards to nothing (app by app, in
reverse dependency order), and forwards again build the same schema, on SQLite and on
PostgreSQL. A database made by migrations this version does not have (those from before they
were squashed) is refused in one line, not migrated halfway."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from piccolo.apps.migrations.commands.backwards import BackwardsMigrationManager
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.tables import Migration

from mupass_forum import db, db_migrations
from mupass_forum.cli import main
from mupass_forum.settings import Settings
from tests.conftest import database_of_its_own

SQLITE_SCHEMA = (
    "SELECT type || ' ' || name || ': ' || coalesce(sql, '') AS item FROM sqlite_master "
    "WHERE name NOT LIKE 'sqlite_%' AND tbl_name <> 'migration'"
)
POSTGRES_SCHEMA = """
SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '
    || is_nullable || ' ' || coalesce(column_default, '') || coalesce(generation_expression, '')
    AS item
FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'migration'
UNION ALL SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes
    WHERE schemaname = 'public' AND tablename <> 'migration'
UNION ALL SELECT 'trigger ' || tgname || ': ' || pg_get_triggerdef(oid) FROM pg_trigger
    WHERE NOT tgisinternal
UNION ALL SELECT 'function ' || p.oid::regprocedure::text || ': ' || pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
"""


@pytest.fixture
def own_database(migrated: Settings, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty database of the test's own."""
    with database_of_its_own("mupass_test_migrations", tmp_path / "migrations.sqlite3") as url:
        yield migrated.replace(database_url=url)


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[None]:
    async with db.connected(settings):
        yield


async def schema() -> set[str]:
    """Tables, columns, indexes, triggers and functions, Piccolo's own table left out."""
    sql = POSTGRES_SCHEMA if db.is_postgres() else SQLITE_SCHEMA
    return {row["item"] for row in await db.current_engine().run_sql(sql)}


async def backwards_to_nothing() -> None:
    for app_name in reversed(BaseMigrationManager().get_sorted_app_names()):
        with contextlib.redirect_stdout(io.StringIO()):
            result = await BackwardsMigrationManager(
                app_name=app_name, migration_id="all", auto_agree=True
            ).run()
        assert result.success, f"{app_name}: {result.message}"


async def test_every_migration_is_undone_and_done_again(own_database: Settings) -> None:
    async with connected(own_database):
        first = await db_migrations.migrate()
        built = await schema()
        assert any("board_post" in item for item in built)
        assert any("search_vector" in item or "board_post_fts" in item for item in built)

        await backwards_to_nothing()
        assert await schema() == set()
        assert await Migration.count().run() == 0
        assert len(await db_migrations.pending_migrations()) == len(first.applied)

        again = await db_migrations.migrate()
        assert again.applied == first.applied
        assert await schema() == built
        assert await db_migrations.pending_migrations() == []


def test_a_database_from_other_migrations_is_refused_in_one_line(
    own_database: Settings,
) -> None:
    async def made_by_old_migrations() -> None:
        async with connected(own_database):
            await db_migrations.migrate()
            await Migration.insert(
                Migration(name="2026-11-21T08:14:50:000000", app_name="accounts")
            ).run()

    asyncio.run(made_by_old_migrations())
    env = {
        "MUPASS_DATABASE_URL": own_database.resolved_database_url,
        "MUPASS_DATA_DIR": str(own_database.data_dir),
    }
    for command in (["migrate"], ["migrate", "--check"]):
        result = CliRunner().invoke(main, command, env=env)
        assert result.exit_code == 1, result.output
        refusal = result.output.splitlines()[-1]
        assert refusal.startswith("Error: the database records 1 migrations"), result.output
        assert "accounts:2026-11-21T08:14:50:000000" in refusal
        assert "recreate it" in refusal
