"""The embedded database: Piccolo's SQLite engine with persistent connections.

Piccolo's stock SQLite engine opens a new connection (a thread, a connect, a PRAGMA) for every
query outside a transaction, which costs more than the query. ``SQLiteEngine`` here keeps a few
read-only connections and one writer per event loop; every transaction runs on the writer as
``BEGIN IMMEDIATE``, so two writers never deadlock on a lock upgrade and a second process waits
for the busy timeout instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import itertools
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import SQLiteEngine as PiccoloSQLiteEngine
from piccolo.engine.sqlite import SQLiteTransaction, TransactionType, dict_factory
from piccolo.querystring import QueryString

from mupass_forum.db_hooks import run_after_commit


@functools.lru_cache(maxsize=8192)
def _timestamptz_out(value: bytes) -> datetime.datetime:
    read = datetime.datetime.fromisoformat(value.decode())
    return read if read.tzinfo is datetime.UTC else read.replace(tzinfo=datetime.UTC)


def _boolean_out(value: bytes) -> bool:
    return value == b"1"


# Piccolo registers a converter in Python for every INTEGER, BOOLEAN and TIMESTAMPTZ column a
# query returns: SQLite turns the value into text, Python decodes it and parses it back. A page
# of 25 posts made about 400 such calls, more than half of its CPU time. SQLite's own integers
# are the same values without the detour; the other two are read as Piccolo reads them, in one
# call each, and a time read before (a page's thread on each of its rows) is not parsed again.
sqlite3.converters.pop("INTEGER", None)
sqlite3.register_converter("BOOLEAN", _boolean_out)
sqlite3.register_converter("TIMESTAMPTZ", _timestamptz_out)


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


class _OnLoopThread:
    """The writer's connection used on the event loop's thread, in aiosqlite's shape.

    Only while a short transaction holds the database's write lock: then no statement waits
    for another connection (in WAL mode readers never block the writer), and the writer's own
    thread is idle (the loop's write lock keeps every other use of it out).
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    async def execute_fetchall(self, query: str, args: Any = ()) -> list[Any]:
        return self._connection.execute(query, args).fetchall()

    async def execute(self, query: str, args: Any = ()) -> None:
        self._connection.execute(query, args)


def _begin_without_waiting(connection: sqlite3.Connection, busy_timeout_ms: int) -> bool:
    """``BEGIN IMMEDIATE`` on the loop's thread if the lock is free now; False if another
    connection (process) holds it, to be waited for on the writer's thread instead."""
    connection.execute("PRAGMA busy_timeout = 0")
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY:
            raise
        return False
    finally:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
    return True


class WriterTransaction(SQLiteTransaction):
    """A transaction on the engine's single writer connection, holding its lock throughout.

    ``short``: ``BEGIN IMMEDIATE`` takes the lock on the loop's own thread when it is free
    (when another process holds it, it is waited for on the writer's thread), then the
    statements and the commit run on the loop's thread too. In a crowd
    every hop to the writer's thread and back waits behind everything else the loop has to
    do; a batch of registrations made eight such hops under the lock.
    """

    engine: SQLiteEngine

    def __init__(self, *args: Any, short: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.after_commit_hooks: list[Callable[[], None]] = []
        self.short = short

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        connections = await self.engine.loop_connections()
        await connections.write_lock.acquire()
        try:
            self.connection = await self.engine.writer(connections)
            if not self.short:
                await self.begin()
            else:
                connection = self.connection._conn
                if not _begin_without_waiting(connection, self.engine.busy_timeout_ms):
                    await self.begin()  # another process has the lock: wait on the thread
                self.connection = _OnLoopThread(connection)
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
            run_after_commit(self.after_commit_hooks)
        return exception is None


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
        # The writer is also used on the loop's thread by short transactions.
        connection = await aiosqlite.connect(**self.connection_kwargs, check_same_thread=False)
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
        inline = await self._inline(await self.loop_connections())
        cursor = inline.execute(query, args)
        rows = cursor.fetchall()
        if not rows:
            return []
        # One list of names per query rather than per row (Piccolo's ``dict_factory``).
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in rows]

    async def _inline(self, connections: _LoopConnections) -> sqlite3.Connection:
        if connections.inline is None:
            await self.writer(connections)  # creates the file and switches it to WAL
            inline = sqlite3.connect(**self.connection_kwargs, check_same_thread=False)
            inline.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            inline.execute("PRAGMA query_only = ON")
            connections.inline = inline
        return connections.inline

    async def open_all(self) -> None:
        """Open the running loop's writer, readers and inline connection now (``warm_up``)."""
        await self._reader()
        await self._inline(await self.loop_connections())

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
        *,
        short: bool = False,
    ) -> WriterTransaction:
        # Every transaction runs on the writer, so every one takes the write lock up front.
        return WriterTransaction(
            engine=self,
            transaction_type=TransactionType.immediate,
            allow_nested=allow_nested,
            short=short,
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
