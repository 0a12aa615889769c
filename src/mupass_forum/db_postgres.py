"""PostgreSQL: Piccolo's engine on a fair pool that serves requests already under way first."""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections import deque
from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from typing import Any

import asyncpg
from piccolo.engine.postgres import PostgresEngine as PiccoloPostgresEngine
from piccolo.engine.postgres import PostgresTransaction
from piccolo.querystring import QueryString

from mupass_forum.db_hooks import run_after_commit


class HookedPostgresTransaction(PostgresTransaction):
    """Piccolo's PostgreSQL transaction, running after-commit hooks once it has committed."""

    def __init__(self, engine: PiccoloPostgresEngine, allow_nested: bool = True) -> None:
        super().__init__(engine=engine, allow_nested=allow_nested)
        self.after_commit_hooks: list[Callable[[], None]] = []

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        outermost = self._parent is None
        result = bool(await super().__aexit__(exception_type, exception, traceback))
        if outermost and self._committed:
            run_after_commit(self.after_commit_hooks)
        return result


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

    async def fetch_many(self, query: str, args: Sequence[Sequence[Any]]) -> list[Any]:
        """The rows of ``query`` run once for each of ``args``, in one round trip (asyncpg's
        ``fetchmany``), where ``fetch`` would run it."""
        transaction = self.current_transaction.get()
        if transaction is not None:
            return list(await transaction.connection.fetchmany(query, args))
        held = self.held.get()
        if held is not None:
            return list(await held.fetchmany(query, args))
        async with self.pool.acquire() as connection:
            return list(await connection.fetchmany(query, args))

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


#: The turns at the pool, first served first: work others wait for (a batch of registrations
#: under the seat desk's lock), work in hand (a request the pool has served before), newcomers.
WAITED_FOR, IN_HAND, NEWCOMER = 0, 1, 2

#: The current task's (a request's) turn at the pool: a newcomer until it has been served once.
_turn: ContextVar[int] = ContextVar("turn_at_pool", default=NEWCOMER)


def serve_first() -> None:
    """Let the current task's connections come before everyone else's: others wait for its
    work (a batch of registrations, and everyone in it)."""
    _turn.set(WAITED_FOR)


class _Line:
    """A lock handed over in arrival order within each turn (``WAITED_FOR`` before
    ``IN_HAND`` before ``NEWCOMER``).

    ``asyncio.Lock`` is fair, but strictly so: under a crowd a request that has done part of
    its work queues behind every request that arrived after it, for each query, and nobody is
    answered until the crowd has been let in. Here a request's later turns come before
    newcomers' first ones, so work in hand finishes and answers flow while the crowd waits; and
    work that a batch of requests waits for comes before either, since under a crowd nearly
    everyone has work in hand.
    """

    __slots__ = ("_held", "_waiters")

    def __init__(self) -> None:
        self._held = False
        #: Waiting futures by turn.
        self._waiters: tuple[deque[asyncio.Future[None]], ...] = (deque(), deque(), deque())

    async def acquire(self, turn: int) -> None:
        if not self._held and not any(self._waiters):
            self._held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters[turn].append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed over just as the waiter gave up: pass it on
            else:
                with contextlib.suppress(ValueError):
                    self._waiters[turn].remove(waiter)
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
    pool has served before goes ahead of those it has not, and work that others wait for
    (``serve_first``) ahead of both: a crowd of 1,000 registrations was otherwise answered only
    once all of it had been let in (first answer after 13 s of 14 s).
    """

    __slots__ = ("_line",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line = _Line()

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:  # noqa: ASYNC109
        """asyncpg's release, without its task when releasing cannot wait.

        asyncpg releases inside ``asyncio.shield``, so that a cancelled request still returns
        its connection: a task per release, and two more turns of the loop for the request
        (about a third of the pool's cost for a page's one read). Releasing a connection with
        no transaction open, no query being cancelled and nothing due to close it does not
        wait at all, so nothing can cancel it halfway: it is done in place. Otherwise, and for
        anything else handed in, asyncpg's own release. (asyncpg is pinned; tested in
        ``tests/test_db_postgres.py``.)
        """
        holder = getattr(connection, "_holder", None)
        con = getattr(connection, "_con", None)
        if holder is None or con is None or holder._pool is not self or not _quick(con, holder):
            await super().release(connection, timeout=timeout)
            return
        self._check_init()
        con._on_release()
        await holder.release(holder._timeout if timeout is None else timeout)

    async def _acquire(self, timeout: float | None) -> Any:  # noqa: ASYNC109 (asyncpg's own)
        async with asyncio.timeout(timeout):
            turn = _turn.get()
            await self._line.acquire(turn)
            try:
                connection = await super()._acquire(timeout)
            finally:
                self._line.release()
        if turn == NEWCOMER:
            _turn.set(IN_HAND)
        return connection


def _quick(con: Any, holder: Any) -> bool:
    """Whether releasing ``con`` runs without waiting for anything (see ``FairPool.release``)."""
    protocol = con._protocol
    return (
        not con.is_closed()
        and con._top_xact is None
        and not protocol.is_in_transaction()
        and not protocol._is_cancelling()
        and protocol.queries_count < holder._max_queries
        and holder._generation == holder._pool._generation
    )


async def open_pool(dsn: str, *, max_size: int, min_size: int = 1) -> FairPool:
    """The service's pool: fair, its connections knowing the types the service sends
    (``_know_types``), and without asyncpg's reset query on release (see ``PostgresEngine``);
    otherwise ``asyncpg.create_pool``'s defaults."""
    pool = FairPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        max_queries=50_000,
        max_inactive_connection_lifetime=300.0,
        init=_know_types,
        reset=_keep_session,
        loop=None,
        connection_class=asyncpg.Connection,
        record_class=asyncpg.Record,
    )
    await pool
    return pool


#: Sent as parameters beyond asyncpg's built-in types: integer lists (``db.one_of``).
KNOWN_TYPES = "SELECT $1::int4[]"


async def _know_types(connection: Any) -> None:
    """Have a new connection look up the array types the service sends, before it serves.

    asyncpg asks the server's catalog about an array type the first time a connection meets
    one (about 20 ms): otherwise that fell on the first batches of a crowd of registrations,
    once for each of the pool's connections.
    """
    await connection.fetchval(KNOWN_TYPES, [])


async def _keep_session(connection: Any) -> None:
    """The pool's reset after asyncpg's own rollback of an open transaction: nothing more."""
