"""Schema migrations: what is pending, and running them one process at a time under a lock."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from mupass_forum.db import current_engine
from mupass_forum.db_sqlite import SQLiteEngine

# Migrations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MigrationReport:
    applied: list[str]
    output: str


class UnknownMigrations(RuntimeError):
    """The database records migrations the code does not have: it was made with the
    migrations from before the first release (squashed since), or by a newer version."""


async def pending_migrations() -> list[str]:
    """Migration ids (``app:id``) present in the code but not yet run on the database; raises
    ``UnknownMigrations`` when the database records any the code does not have (running the
    code's own on top would fail halfway, on tables that already exist)."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = BaseMigrationManager()
    has_table = await Migration.table_exists().run()
    pending: list[str] = []
    unknown: list[str] = []
    for app_name in manager.get_sorted_app_names():
        app_config = manager.get_app_config(app_name)
        ids = manager.get_migration_ids(
            manager.get_migration_modules(app_config.resolved_migrations_folder_path)
        )
        ran = set(await Migration.get_migrations_which_ran(app_name)) if has_table else set()
        pending += [f"{app_name}:{migration_id}" for migration_id in ids if migration_id not in ran]
        unknown += [f"{app_name}:{migration_id}" for migration_id in sorted(ran - set(ids))]
    if unknown:
        raise UnknownMigrations(
            f"the database records {len(unknown)} migrations this version does not have "
            f"(first {unknown[0]}): it was made before the migrations were squashed for the "
            "first release, or by a newer version; recreate it (the README says how)"
        )
    return pending


#: The PostgreSQL advisory lock that ``migrate`` holds (any constant; this is "mupassmg").
MIGRATION_LOCK_KEY = 0x6D75706173736D67
#: How long ``migrate`` waits for another process's migrations before giving up.
MIGRATION_LOCK_TIMEOUT_SECONDS = 300.0


class MigrationLockTimeout(RuntimeError):
    """Another process kept migrating the database for longer than we wait."""


@contextlib.asynccontextmanager
async def migration_lock() -> AsyncIterator[None]:
    """Hold the database's migration lock: one process migrates at a time.

    Two servers started at once on a new SQLite file would otherwise both create the same
    tables ("table already exists"). On SQLite the lock is ``flock`` on a file next to the
    database (released by the kernel when a process dies); on PostgreSQL a session advisory
    lock on a connection of its own. Waiting for it raises ``MigrationLockTimeout`` after
    ``MIGRATION_LOCK_TIMEOUT_SECONDS``.
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        path = Path(f"{engine.path}.migrate-lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            async with _waiting_for_lock():
                while True:
                    try:
                        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        await asyncio.sleep(0.05)
            yield
        finally:
            os.close(descriptor)  # releases the lock
        return
    connection = await asyncpg.connect(engine.config["dsn"])
    try:
        async with _waiting_for_lock():
            await connection.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
        yield
    finally:
        await connection.close()  # ends the session and its lock


@contextlib.asynccontextmanager
async def _waiting_for_lock() -> AsyncIterator[None]:
    try:
        async with asyncio.timeout(MIGRATION_LOCK_TIMEOUT_SECONDS):
            yield
    except TimeoutError as exc:
        raise MigrationLockTimeout(
            f"another process has been migrating the database for more than "
            f"{MIGRATION_LOCK_TIMEOUT_SECONDS:.0f} seconds"
        ) from exc


async def migrate() -> MigrationReport:
    """Run every pending migration of every app, in dependency order, under the migration
    lock; what is pending is read once the lock is held, so a second process finds nothing
    left to do."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    async with migration_lock():
        before = await pending_migrations()
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{output.getvalue()}")
    return MigrationReport(applied=before, output=output.getvalue())
