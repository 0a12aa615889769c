"""Hand-written migrations: what Piccolo's columns cannot declare (partial and multi-column
indexes, triggers, FTS5 tables on SQLite, ``tsvector`` columns and functions on PostgreSQL),
written once per engine, forwards and backwards.

Each app's ``<app>_0002_*`` migration lists its statements and hands them to ``raw_migration``;
the steps backwards undo exactly the steps forwards, in reverse, so that ``piccolo migrations
backwards`` leaves the schema its ``<app>_0001_initial`` built.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder


@dataclass(frozen=True)
class Statements:
    """The statements of one direction: ``common`` on both engines, then the engine's own."""

    common: Sequence[str] = ()
    sqlite: Sequence[str] = ()
    postgres: Sequence[str] = ()

    def for_engine(self, engine_type: str) -> list[str]:
        specific = self.postgres if engine_type in ("postgres", "cockroach") else self.sqlite
        return [*self.common, *specific]


def raw_migration(
    *,
    app_name: str,
    migration_id: str,
    description: str,
    indexes: Mapping[str, str] | None = None,
    forwards: Statements | None = None,
    backwards: Statements | None = None,
) -> MigrationManager:
    """The migration manager that creates ``indexes`` (name: statement, on both engines), then
    runs ``forwards``; reversed, it runs ``backwards``, then drops the indexes."""
    indexes = dict(indexes or {})
    creations = Statements(common=list(indexes.values()))
    drops = Statements(common=[f"DROP INDEX {name}" for name in reversed(indexes)])
    manager = MigrationManager(
        migration_id=migration_id, app_name=app_name, description=description
    )

    async def run(*steps: Statements | None) -> None:
        engine = engine_finder()
        assert engine is not None
        for step in steps:
            for statement in step.for_engine(engine.engine_type) if step else ():
                await engine.run_ddl(statement)

    async def forward() -> None:
        await run(creations, forwards)

    async def backward() -> None:
        await run(backwards, drops)

    manager.add_raw(forward)
    manager.add_raw_backwards(backward)
    return manager
