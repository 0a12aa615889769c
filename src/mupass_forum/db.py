"""The database as the services see it: the engine in use, transactions, refused writes, reads.

Piccolo binds tables to an engine globally; ``use_engine`` does that binding from settings, so the
choice of database stays with ``create_app`` and the CLI, never with an import. The engines
themselves are in ``db_sqlite`` and ``db_postgres``, the migrations in ``db_migrations``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import itertools
import os
import re
import sqlite3
import string
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from piccolo.columns import Column
from piccolo.columns.defaults.base import Default
from piccolo.engine.base import Engine
from piccolo.table import Table
from piccolo.utils.sql_values import convert_to_sql_value

from mupass_forum.db_postgres import HeldConnection, PostgresEngine
from mupass_forum.db_sqlite import SQLiteEngine
from mupass_forum.settings import Settings

PICCOLO_CONF = "mupass_forum.piccolo_conf"


_engines: dict[tuple[str, int, int], SQLiteEngine | PostgresEngine] = {}


def engine_for(settings: Settings) -> SQLiteEngine | PostgresEngine:
    """The process's engine for these settings (one per database, shared by every app)."""
    url = settings.resolved_database_url
    key = (url, settings.database_pool_size, settings.sqlite_busy_timeout_ms)
    engine = _engines.get(key)
    if engine is None:
        if url.startswith("sqlite:///"):
            engine = SQLiteEngine(
                sqlite_path(url),
                readers=settings.database_pool_size,
                busy_timeout_ms=settings.sqlite_busy_timeout_ms,
            )
        else:
            engine = PostgresEngine(url, pool_size=max(2, settings.database_pool_size * 2))
        _engines[key] = engine
    return engine


def sqlite_path(url: str) -> str:
    return (
        unquote(urlsplit(url).path) if url.startswith("sqlite:////") else url[len("sqlite:///") :]
    )


def use_engine(engine: Engine[Any]) -> None:
    """Bind every registered table, and Piccolo's migration machinery, to ``engine``."""
    os.environ["PICCOLO_CONF"] = PICCOLO_CONF
    from piccolo.apps.migrations.tables import Migration

    from mupass_forum.piccolo_apps import APP_REGISTRY  # the tables, imported when bound

    global _engine
    _engine = engine
    Migration._meta.db = engine
    for app_config in APP_REGISTRY.app_configs.values():
        for table in app_config.table_classes:
            table._meta.db = engine


_engine: Engine[Any] | None = None


@contextlib.contextmanager
def bound_to(engine: Engine[Any]) -> Iterator[None]:
    """Bind the tables to ``engine`` for the block, then back to the engine bound before (an
    app's lifespan, a command's connection: Piccolo's binding is process-wide)."""
    previous = _engine
    use_engine(engine)
    try:
        yield
    finally:
        if previous is not None:
            use_engine(previous)


def engine_in_use() -> SQLiteEngine | PostgresEngine | None:
    """The engine ``use_engine`` bound last (Piccolo's tools find it as ``piccolo_conf.DB``)."""
    return _engine if isinstance(_engine, SQLiteEngine | PostgresEngine) else None


def current_engine() -> SQLiteEngine | PostgresEngine:
    engine = engine_in_use()
    if engine is None:
        raise RuntimeError("no database engine is in use; create_app or the CLI sets one")
    return engine


def transaction(*, short: bool = False) -> Any:
    """A writing transaction: ``BEGIN IMMEDIATE`` on SQLite, the default isolation on PostgreSQL.

    Services that write more than one row use it; nested calls join the outer transaction.
    ``short`` is for a few small statements under a contended lock (the seat desk): on SQLite
    they run on the loop's own thread once the lock is taken (``WriterTransaction``).
    """
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(short=short)
    return engine.transaction()


def in_transaction() -> bool:
    """True inside ``transaction()`` (of the current task)."""
    return current_engine().current_transaction.get() is not None


def require_transaction() -> None:
    """Refuse to go on outside a writing transaction (a lock taken there would not hold)."""
    if not in_transaction():
        raise RuntimeError("this step writes inside the caller's transaction; none is open")


def after_commit(hook: Callable[[], None]) -> None:
    """Call ``hook`` once the active transaction has committed; never if it rolls back.

    For side effects outside the database that must not run before the change is visible
    (waking the mail relay). Hooks run in the order they were added; raises ``RuntimeError``
    outside a transaction.
    """
    active = current_engine().current_transaction.get()
    if active is None:
        raise RuntimeError("after_commit needs an active transaction")
    hooks: list[Callable[[], None]] = getattr(active, "after_commit_hooks")  # noqa: B009
    hooks.append(hook)


#: What a refused write raises, whichever rule refused it (unique, foreign key, NOT NULL, check).
INTEGRITY_ERRORS = (asyncpg.IntegrityConstraintViolationError, sqlite3.IntegrityError)

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)")
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>[^=]+)\)=")


def is_unique_violation(exc: BaseException, table: str | None = None, *columns: str) -> bool:
    """Whether ``exc`` is a second row with the same ``columns`` of ``table`` (any unique key
    when neither is named). A foreign key, a NOT NULL or a check failing is not: those are
    errors of the service, never an "already exists" for the person asking."""
    if isinstance(exc, asyncpg.UniqueViolationError):
        key = _POSTGRES_KEY.match(exc.detail or "")
        found_table = exc.table_name
        found = key["columns"].split(",") if key else []
    elif isinstance(exc, sqlite3.IntegrityError):
        failed = _SQLITE_UNIQUE.match(str(exc))
        if failed is None:
            return False
        qualified = [column.strip().partition(".") for column in failed["columns"].split(",")]
        found_table = qualified[0][0]
        found = [name for _, _, name in qualified]
    else:
        return False
    if table is None:
        return True
    return found_table == table and {name.strip().strip('"') for name in found} == set(columns)


def is_postgres() -> bool:
    return isinstance(current_engine(), PostgresEngine)


def one_connection() -> contextlib.AbstractAsyncContextManager[Any]:
    """Run the block's queries on one pooled connection, taken once (PostgreSQL).

    For a page and the row it hangs off: one trip to the pool instead of one per query, so a
    request queues for the pool once. For reads in turn only: a transaction would need a second
    connection (``transaction()`` refuses to start inside the block), and the connection runs
    one query at a time. Elsewhere a no-op: SQLite's reads do not queue for a pool.
    """
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        return HeldConnection(engine)
    return contextlib.nullcontext()


@functools.lru_cache(maxsize=256)
def compiled(sql: str, engine_type: str) -> str:
    """``sql`` with its ``{}`` placeholders as the engine writes them (``$1``... or ``?``) and
    ``{{``/``}}`` as braces; cached, as the hot reads repeat a few texts."""
    parts: list[str] = []
    numbers = itertools.count(1)
    for literal, placeholder, _, _ in string.Formatter().parse(sql):
        parts.append(literal)
        if placeholder is not None:
            parts.append("?" if engine_type == "sqlite" else f"${next(numbers)}")
    return "".join(parts)


def placeholders(values: Sequence[Any]) -> str:
    """One ``{}`` placeholder per value, comma-separated: ``IN ({placeholders(ids)})``."""
    return ", ".join("{}" for _ in values)


def one_of(values: Sequence[Any]) -> tuple[str, list[Any]]:
    """SQL after a column for "is one of ``values``", and its arguments: ``IN ({}, …)`` on
    SQLite, ``= ANY({})`` with one array on PostgreSQL.

    For statements that run often with lists of varying length (a batch's people): PostgreSQL
    prepares a statement once per connection and text, and a text per length meant preparing
    and planning again for most batches.
    """
    if is_postgres():
        return "= ANY({})", [list(values)]
    return f"IN ({placeholders(values)})", list(values)


async def insert_rows(
    table: type[Table], rows: Sequence[Mapping[str, Any]], *returning: Column
) -> list[Mapping[str, Any]]:
    """Insert ``rows`` (by column name; a column left out takes its default, as ``table(...)``
    would give it) in one round trip; the ``returning`` columns of each, in their order.

    For the rows a batch writes under a lock, faster than Piccolo's ``insert``, which builds a
    ``Table`` and a query string of every value (a fifth of a registration's CPU in a crowd).
    SQLite: one multi-row ``INSERT``. PostgreSQL: the one-row ``INSERT``, prepared once and run
    for every row in one round trip (asyncpg's ``fetchmany``): a multi-row ``INSERT`` is a new
    text for every number of rows, so a batch of 37 people was prepared and planned anew
    (about a thousand parameters) where one of 36 had been before.
    """
    if not rows:
        return []
    plan = _insert_plan(table, tuple(returning))
    values = [plan.values(row) for row in rows]
    engine = current_engine()
    if isinstance(engine, PostgresEngine):
        text = compiled(plan.head + plan.row + plan.tail, engine.engine_type)
        return await engine.fetch_many(text, values)
    every = ", ".join([plan.row] * len(rows))
    return await run(plan.head + every + plan.tail, *(value for row in values for value in row))


@dataclasses.dataclass(frozen=True)
class _InsertPlan:
    """How ``insert_rows`` writes a table's rows: every column but the primary key."""

    table: type[Table]
    columns: tuple[Column, ...]
    names: frozenset[str]
    #: ``INSERT INTO … VALUES ``, one row's ``({}, …)`` and `` RETURNING …`` (or nothing).
    head: str
    row: str
    tail: str

    def values(self, row: Mapping[str, Any]) -> list[Any]:
        """The row's values as Piccolo would send them, a column left out at its default."""
        unknown = row.keys() - self.names
        if unknown:
            raise ValueError(f"{self.table.__name__} has no column {', '.join(sorted(unknown))}")
        return [
            convert_to_sql_value(
                row[column._meta.name] if column._meta.name in row else _default(column), column
            )
            for column in self.columns
        ]


def _default(column: Column) -> Any:
    """A column's value when a row leaves it out, as ``Table(...)`` makes it."""
    value = column.get_default_value()
    if isinstance(value, Default):
        value = value.python()
    if value is None and not column._meta.null:
        raise ValueError(f"{column._meta.name} wasn't provided")
    return value


@functools.lru_cache(maxsize=64)
def _insert_plan(table: type[Table], returning: tuple[Column, ...]) -> _InsertPlan:
    columns = tuple(column for column in table._meta.columns if not column._meta.primary_key)
    names = ",".join(f'"{column._meta.db_column_name}"' for column in columns)
    back = ", ".join(f'"{column._meta.db_column_name}"' for column in returning)
    return _InsertPlan(
        table=table,
        columns=columns,
        names=frozenset(column._meta.name for column in columns),
        head=f'INSERT INTO "{table._meta.tablename}" ({names}) VALUES ',  # noqa: S608 (a table's)
        row=f"({', '.join('{}' for _ in columns)})",
        tail=f" RETURNING {back}" if back else "",
    )


async def read_indexed(sql: str, *args: Any) -> list[Mapping[str, Any]]:
    """A small read bounded by an index (a page by key, a row by id), as fast as the engine
    allows: inline on the loop's thread on SQLite, through the pool on PostgreSQL.

    ``sql`` has ``{}`` placeholders for ``args``, plain values (no nested ``QueryString``);
    rows are mappings by column name.
    """
    engine = current_engine()
    query = compiled(sql, engine.engine_type)
    if isinstance(engine, SQLiteEngine):
        return list(await engine.read_inline(query, list(args)))
    return await engine.fetch(query, args)


async def run(sql: str, *args: Any) -> list[Mapping[str, Any]]:
    """One statement with ``{}`` placeholders (as ``read_indexed``), in the caller's
    transaction when there is one: for a statement Piccolo's query builder cannot say, or
    says at a cost that matters under a lock."""
    engine = current_engine()
    query = compiled(sql, engine.engine_type)
    if isinstance(engine, SQLiteEngine):
        return list(await engine.run_sql(query, list(args)))
    return await engine.fetch(query, args)


async def scrub(*, search_indexes: bool = False) -> None:
    """After personal data was removed: on SQLite, copy the WAL into the file and empty it, so
    that earlier versions of the pages (holding the removed text) linger nowhere; freed pages
    are zeroed by ``secure_delete``. With ``search_indexes`` the full-text indexes are merged
    into one segment each first: FTS5 keeps a removed text's words in older segments until
    they are merged (this rewrites the indexes, so it is for erasure, not every edit).
    PostgreSQL needs nothing here: dumps hold live rows only, and autovacuum reclaims the dead
    ones."""
    engine = current_engine()
    if not isinstance(engine, SQLiteEngine):
        return
    if search_indexes:
        indexes = await engine.run_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5(%'"
        )
        async with engine.transaction():
            for row in indexes:
                name = row["name"]
                await engine.run_sql(f"INSERT INTO {name} ({name}) VALUES ('optimize')")  # noqa: S608
    await engine.run_sql("PRAGMA wal_checkpoint(TRUNCATE)")


async def ping() -> None:
    """Raise unless the database answers; (re)opens the connections it needs."""
    engine = current_engine()
    await engine.start()
    await engine.run_sql("SELECT 1 AS ok")


class DatabaseUnreachable(RuntimeError):
    """The database server does not answer, the database does not exist, or the SQLite file
    cannot be opened."""


def describe(settings: Settings) -> str:
    """The database of ``settings`` for people: its kind and where, never a password."""
    url = settings.resolved_database_url
    if url.startswith("sqlite:///"):
        return f"SQLite at {sqlite_path(url)}"
    return f"PostgreSQL at {url.split('@', 1)[-1]}"


@contextlib.asynccontextmanager
async def connected(settings: Settings) -> AsyncIterator[SQLiteEngine | PostgresEngine]:
    """The engine for ``settings``, bound and open for the duration of the block; raises
    ``DatabaseUnreachable`` when it cannot connect."""
    engine = engine_for(settings)
    with bound_to(engine):
        try:
            await engine.start()
        except (OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
            raise DatabaseUnreachable(f"{describe(settings)}: {exc}") from exc
        try:
            yield engine
        finally:
            await engine.stop()
