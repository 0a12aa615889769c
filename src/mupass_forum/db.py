"""Database engines, the transaction helper and schema migrations.

Piccolo binds tables to an engine globally; ``use_engine`` does that binding from settings, so the
choice of database stays with ``create_app`` and the CLI, never with an import.

The embedded default keeps its connections open: Piccolo's stock SQLite engine opens a new
connection (a thread, a connect, a PRAGMA) for every query outside a transaction, which costs
more than the query. ``SQLiteEngine`` here keeps a few read-only connections and one writer per
event loop; every transaction runs on the writer as ``BEGIN IMMEDIATE``, so two writers never
deadlock on a lock upgrade and a second process waits for the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import functools
import io
import itertools
import logging
import os
import re
import sqlite3
import string
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import aiosqlite
import asyncpg
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine as PiccoloPostgresEngine
from piccolo.engine.postgres import PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine as PiccoloSQLiteEngine
from piccolo.engine.sqlite import SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from mupass_forum.settings import Settings

log = logging.getLogger(__name__)

PICCOLO_CONF = "mupass_forum.piccolo_conf"


@dataclass
class _LoopConnections:
    """The connections one event loop uses; aiosqlite futures belong to the loop that awaits."""

    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    #: A plain connection used on the loop's own thread for small, index-bounded reads.
    inline: sqlite3.Connection | None = None
    open_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    writer: aiosqlite.Connection | None = None
    readers: list[aiosqlite.Connection] = field(default_factory=list)
    turn: Iterator[int] = field(default_factory=itertools.count)


def _rows(rows: Any) -> list[dict[str, Any]]:
    """Rows made dicts by the connection's row factory."""
    return list(rows)


def _run_after_commit(hooks: list[Callable[[], None]]) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:
            # The transaction is committed; a failing hook must not make the caller think
            # otherwise.
            log.exception("an after-commit hook failed")


class WriterTransaction(SQLiteTransaction):
    """A transaction on the engine's single writer connection, holding its lock throughout."""

    engine: SQLiteEngine

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.after_commit_hooks: list[Callable[[], None]] = []

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        connections = await self.engine.loop_connections()
        await connections.write_lock.acquire()
        try:
            self.connection = await self.engine.writer(connections)
            await self.begin()
        except BaseException:
            connections.write_lock.release()
            raise
        self._write_lock = connections.write_lock
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent is not None:
            return exception is None
        try:
            if exception is not None:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                try:
                    await self.commit()
                except BaseException:
                    await self.rollback()
                    raise
        finally:
            self.engine.current_transaction.reset(self.context)
            self._write_lock.release()
        if self._committed:
            _run_after_commit(self.after_commit_hooks)
        return exception is None


class HookedPostgresTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, running after-commit hooks once it has committed."""

    def __init__(self, engine: PiccoloPostgresEngine, allow_nested: bool = True) -> None:
        super().__init__(engine=engine, allow_nested=allow_nested)
        self.after_commit_hooks: list[Callable[[], None]] = []

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        outermost = self._parent is None
        result = bool(await super().__aexit__(exception_type, exception, traceback))
        if outermost and self._committed:
            _run_after_commit(self.after_commit_hooks)
        return result


class SQLiteEngine(PiccoloSQLiteEngine):
    """Piccolo's SQLite engine with persistent connections: read-only readers and one writer."""

    def __init__(self, path: str, *, readers: int = 4, busy_timeout_ms: int = 5000) -> None:
        super().__init__(path=path, timeout=busy_timeout_ms / 1000)
        self.reader_count = readers
        self.busy_timeout_ms = busy_timeout_ms
        self._by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopConnections] = (
            weakref.WeakKeyDictionary()
        )
        self._all: list[_LoopConnections] = []

    async def _connect(self, *, read_only: bool) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        await connection.execute("PRAGMA foreign_keys = ON")
        # In WAL mode NORMAL loses no committed transaction on a crash of the process, only on
        # a power cut before the next checkpoint; it spares one fsync per commit.
        await connection.execute("PRAGMA synchronous = NORMAL")
        # Removed rows are overwritten with zeros, not left in free pages (erasure, retention).
        await connection.execute("PRAGMA secure_delete = ON")
        if read_only:
            await connection.execute("PRAGMA query_only = ON")
        return connection

    async def get_connection(self) -> aiosqlite.Connection:
        """A new connection of its own (used for batches); the caller closes it."""
        return await self._connect(read_only=False)

    async def loop_connections(self) -> _LoopConnections:
        loop = asyncio.get_running_loop()
        connections = self._by_loop.get(loop)
        if connections is None:
            connections = self._by_loop[loop] = _LoopConnections()
            self._all.append(connections)
        return connections

    async def writer(self, connections: _LoopConnections) -> aiosqlite.Connection:
        if connections.writer is None:
            async with connections.open_lock:
                if connections.writer is None:
                    Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                    connections.writer = await self._connect(read_only=False)
        return connections.writer

    async def _reader(self) -> aiosqlite.Connection:
        connections = await self.loop_connections()
        if len(connections.readers) < self.reader_count:
            # The writer opens first: it creates the file and switches it to WAL.
            await self.writer(connections)
            async with connections.open_lock:
                while len(connections.readers) < self.reader_count:
                    connections.readers.append(await self._connect(read_only=True))
        return connections.readers[next(connections.turn) % self.reader_count]

    async def _write(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        connections = await self.loop_connections()
        async with connections.write_lock:
            writer = await self.writer(connections)
            return _rows(await writer.execute_fetchall(query, args))

    async def run_querystring(
        self, querystring: QueryString, in_pool: bool = False
    ) -> list[dict[str, Any]]:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        return await self.run_sql(query, list(args))

    async def run_sql(self, query: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
        args = args or []
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=query)
        transaction = self.current_transaction.get()
        if transaction is not None:
            return _rows(await transaction.connection.execute_fetchall(query, args))
        if query.lstrip()[:6].upper() == "SELECT":
            reader = await self._reader()
            return _rows(await reader.execute_fetchall(query, args))
        return await self._write(query, args)

    async def run_ddl(self, ddl: str, in_pool: bool = False) -> list[dict[str, Any]]:
        return await self.run_sql(ddl)

    async def read_inline(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        """Run a small read on the event loop's thread, skipping the hop to a worker thread.

        Only for queries bounded by an index (a page by key, a row by id): they take tens of
        microseconds, less than handing them to aiosqlite's thread and back. In WAL mode a read
        never waits for the writer, so the loop is not held up by other requests' writes.
        """
        transaction = self.current_transaction.get()
        if transaction is not None:
            return _rows(await transaction.connection.execute_fetchall(query, args))
        connections = await self.loop_connections()
        if connections.inline is None:
            await self.writer(connections)  # creates the file and switches it to WAL
            inline = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            inline.row_factory = dict_factory
            inline.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            inline.execute("PRAGMA query_only = ON")
            connections.inline = inline
        return connections.inline.execute(query, args).fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> WriterTransaction:
        # Every transaction runs on the writer, so every one takes the write lock up front.
        return WriterTransaction(
            engine=self, transaction_type=TransactionType.immediate, allow_nested=allow_nested
        )

    async def start(self) -> None:
        connections = await self.loop_connections()
        await self.writer(connections)

    async def stop(self) -> None:
        """Close the connections of the running loop."""
        loop = asyncio.get_running_loop()
        connections = self._by_loop.pop(loop, None)
        if connections is not None:
            await self._close(connections)

    async def stop_all(self) -> None:
        for connections in list(self._all):
            await self._close(connections)
        self._by_loop.clear()

    async def _close(self, connections: _LoopConnections) -> None:
        with contextlib.suppress(ValueError):
            self._all.remove(connections)
        if connections.inline is not None:
            connections.inline.close()
            connections.inline = None
        open_ones = [*connections.readers, connections.writer]
        connections.readers, connections.writer = [], None
        for connection in open_ones:
            if connection is not None:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await connection.close()


class PostgresEngine(PiccoloPostgresEngine):
    """Piccolo's PostgreSQL engine with one asyncpg pool per event loop.

    An asyncpg pool is bound to the loop that created it; keeping one per loop lets the CLI,
    the server and the tests' clients share one engine.

    A connection goes back to the pool without asyncpg's reset query (``pg_advisory_unlock_all``,
    ``CLOSE ALL``, ``UNLISTEN *``, ``RESET ALL``): that is a second round trip for every query
    outside a transaction. The service keeps no session state on pooled connections (advisory
    locks are transaction-level, live channels listen on a connection of their own, nothing
    ``SET``s a session variable); asyncpg still rolls back a transaction left open.
    """

    def __init__(self, dsn: str, *, pool_size: int = 10) -> None:
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )
        self.held: ContextVar[Any] = ContextVar(f"held_connection_{id(self)}", default=None)
        self.pool_size = pool_size
        super().__init__(config={"dsn": dsn}, extensions=())

    async def run_querystring(self, querystring: QueryString, in_pool: bool = True) -> Any:
        query, args = querystring.compile_string(engine_type=self.engine_type)
        if self.log_queries:
            self.print_query(query_id=self.get_query_id(), query=str(querystring))
        return await self.fetch(query, args)

    async def fetch(self, query: str, args: Sequence[Any]) -> list[Any]:
        """Rows (asyncpg records) of a query with ``$1`` placeholders: in the transaction, on
        the connection ``one_connection`` holds, or on one from the pool."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return list(await transaction.connection.fetch(query, *args))
        held = self.held.get()
        if held is not None:
            return list(await held.fetch(query, *args))
        if self.pool is None:
            connection = await self.get_new_connection()
            try:
                return list(await connection.fetch(query, *args))
            finally:
                await connection.close()
        async with self.pool.acquire() as connection:
            return list(await connection.fetch(query, *args))

    @property
    def pool(self) -> Any:
        try:
            return self._pools.get(asyncio.get_running_loop())
        except RuntimeError:
            return None

    @pool.setter
    def pool(self, value: Any) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if value is None:
            self._pools.pop(loop, None)
        else:
            self._pools[loop] = value

    async def run_sql(self, query: str, args: list[Any] | None = None) -> list[dict[str, Any]]:
        """Run SQL with asyncpg's ``$1`` placeholders (prefer Piccolo queries in services)."""
        return [dict(row) for row in await self.fetch(query, args or [])]

    def transaction(self, allow_nested: bool = True) -> HookedPostgresTransaction:
        if self.held.get() is not None and self.current_transaction.get() is None:
            raise RuntimeError("one_connection() is for reads; a transaction needs its own")
        return HookedPostgresTransaction(engine=self, allow_nested=allow_nested)

    async def check_version(self) -> float:
        # Piccolo checks the server version while constructing the engine, which connects at
        # import time; the check runs on ``start`` instead.
        return 0.0

    async def start(self) -> None:
        if self.pool is None:
            self.pool = await open_pool(self.config["dsn"], max_size=self.pool_size)
            version = await self.get_version()
            if version < self.min_version_number:
                raise RuntimeError(
                    f"PostgreSQL {version} is too old; {self.min_version_number} or newer is needed"
                )

    async def stop(self) -> None:
        if self.pool is not None:
            await self.close_connection_pool()

    async def stop_all(self) -> None:
        await self.stop()


class HeldConnection:
    """One pooled connection for the queries of a block (``one_connection``); nested, or
    inside a transaction, the connection already in use."""

    def __init__(self, engine: PostgresEngine) -> None:
        self.engine = engine
        self.acquired: Any = None
        self.token: Token[Any] | None = None

    async def __aenter__(self) -> None:
        engine = self.engine
        busy = engine.held.get() is not None or engine.current_transaction.get() is not None
        if busy or engine.pool is None:
            return
        self.acquired = engine.pool.acquire()
        self.token = engine.held.set(await self.acquired.__aenter__())

    async def __aexit__(self, *exc_info: Any) -> None:
        if self.token is not None:
            self.engine.held.reset(self.token)
            await self.acquired.__aexit__(*exc_info)


#: Set in a task (a request) once the pool has served it: its next turn comes before newcomers'.
_served: ContextVar[bool] = ContextVar("served_by_pool", default=False)


def serve_first() -> None:
    """Let the current task's next connections come before newcomers': its work is in hand
    (a batch that other requests wait for)."""
    _served.set(True)


class _Line:
    """A lock handed over in arrival order, where those already served once go first.

    ``asyncio.Lock`` is fair, but strictly so: under a crowd a request that has done part of
    its work queues behind every request that arrived after it, for each query, and nobody is
    answered until the crowd has been let in. Here a request's later turns come before
    newcomers' first ones, so work in hand finishes and answers flow while the crowd waits.
    """

    __slots__ = ("_held", "_waiters")

    def __init__(self) -> None:
        self._held = False
        #: Waiting futures: those served before, then newcomers.
        self._waiters: tuple[deque[asyncio.Future[None]], deque[asyncio.Future[None]]] = (
            deque(),
            deque(),
        )

    async def acquire(self, urgent: bool) -> None:
        if not self._held and not any(self._waiters):
            self._held = True
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiters[0 if urgent else 1].append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed over just as the waiter gave up: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters[0 if urgent else 1].remove(turn)
            raise

    def release(self) -> None:
        for waiters in self._waiters:
            while waiters:
                turn = waiters.popleft()
                if not turn.done():
                    turn.set_result(None)  # still held: ownership passes to that waiter
                    return
        self._held = False


class FairPool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg ships no types
    """asyncpg's pool, handing out connections in order: work in hand first, then newcomers.

    asyncpg's queue lets a newcomer take a connection just released to a waiting request before
    that request runs again, and sends the waiter to the back of the line: under load a few
    requests wait many turns (a board page's p99 was six times its mean). Queueing at a line in
    front of the pool's own queue keeps arrival order (``_Line``), except that a request the
    pool has served before goes ahead of those it has not: a crowd of 1,000 registrations was
    otherwise answered only once all of it had been let in (first answer after 13 s of 14 s).
    """

    __slots__ = ("_line",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line = _Line()

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 (asyncpg's own)
        async with asyncio.timeout(timeout):
            await self._line.acquire(urgent=_served.get())
            try:
                connection = await super()._acquire(timeout)
            finally:
                self._line.release()
        _served.set(True)
        return connection


async def open_pool(dsn: str, *, max_size: int, min_size: int = 1) -> FairPool:
    """The service's pool: fair, and without asyncpg's reset query on release (see
    ``PostgresEngine``); otherwise ``asyncpg.create_pool``'s defaults."""
    pool = FairPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        reset=_keep_session,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
    )
    await pool
    return pool


async def _keep_session(connection: Any) -> None:
    """The pool's reset after asyncpg's own rollback of an open transaction: nothing more."""


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


def engine_in_use() -> SQLiteEngine | PostgresEngine | None:
    """The engine ``use_engine`` bound last (Piccolo's tools find it as ``piccolo_conf.DB``)."""
    return _engine if isinstance(_engine, SQLiteEngine | PostgresEngine) else None


def current_engine() -> SQLiteEngine | PostgresEngine:
    engine = engine_in_use()
    if engine is None:
        raise RuntimeError("no database engine is in use; create_app or the CLI sets one")
    return engine


def transaction() -> Any:
    """A writing transaction: ``BEGIN IMMEDIATE`` on SQLite, the default isolation on PostgreSQL.

    Services that write more than one row use it; nested calls join the outer transaction.
    """
    return current_engine().transaction()


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
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
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
    use_engine(engine)
    try:
        await engine.start()
    except (OSError, sqlite3.Error, asyncpg.PostgresError) as exc:
        raise DatabaseUnreachable(f"{describe(settings)}: {exc}") from exc
    try:
        yield engine
    finally:
        await engine.stop()


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
