"""The PostgreSQL engine's pool: connections held for a block, and what a release resets."""

from __future__ import annotations

import asyncio
import contextvars

import asyncpg
import pytest

from mupass_forum import db, db_postgres
from mupass_forum.settings import Settings
from tests.conftest import on_postgres

pytestmark = pytest.mark.skipif(not on_postgres(), reason="the PostgreSQL engine's own pool")

BACKEND = "SELECT pg_backend_pid() AS pid"


async def backend_pids(engine: db_postgres.PostgresEngine, count: int) -> set[int]:
    return {int((await engine.run_sql(BACKEND))[0]["pid"]) for _ in range(count)}


async def test_the_queries_of_a_block_run_on_one_connection(
    migrated: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with db.connected(migrated) as engine:
        assert isinstance(engine, db_postgres.PostgresEngine)
        async with db.one_connection():

            def no_second_trip(pool: object) -> None:
                raise AssertionError("a query of the block went to the pool")

            monkeypatch.setattr(type(engine.pool), "acquire", no_second_trip)
            held = await backend_pids(engine, 3)
            rows = await db.read_indexed("SELECT pg_backend_pid() AS pid, {}::int AS n", 7)
            async with db.one_connection():
                nested = await backend_pids(engine, 2)
            monkeypatch.undo()
        assert len(held) == 1
        assert {int(rows[0]["pid"])} == held == nested
        assert rows[0]["n"] == 7


async def test_a_transaction_cannot_start_while_a_connection_is_held(migrated: Settings) -> None:
    async with db.connected(migrated), db.one_connection():
        with pytest.raises(RuntimeError, match="for reads"):
            async with db.transaction():
                pass


async def test_a_block_inside_a_transaction_runs_on_the_transactions_connection(
    migrated: Settings,
) -> None:
    async with db.connected(migrated) as engine:
        async with db.transaction():
            outside = await backend_pids(engine, 1)
            async with db.one_connection():
                inside = await backend_pids(engine, 2)
        assert inside == outside


async def test_a_released_connection_comes_back_without_its_open_transaction(
    migrated: Settings,
) -> None:
    """The pool skips asyncpg's reset query, but a transaction left open is still rolled back."""
    async with db.connected(migrated) as engine:
        assert isinstance(engine, db_postgres.PostgresEngine)
        await engine.run_sql("CREATE TABLE IF NOT EXISTS pool_probe (value int)")
        try:
            async with engine.pool.acquire() as connection:
                pid = await connection.fetchval("SELECT pg_backend_pid()")
                await connection.execute("BEGIN")
                await connection.execute("INSERT INTO pool_probe VALUES (1)")
            async with engine.pool.acquire() as connection:
                # The pool keeps its idle connections last in, first out: the same one again.
                assert await connection.fetchval("SELECT pg_backend_pid()") == pid
                assert not connection.is_in_transaction()
                assert await connection.fetchval("SELECT count(*) FROM pool_probe") == 0
        finally:
            await engine.run_sql("DROP TABLE pool_probe")


async def test_a_release_with_nothing_to_undo_is_done_in_place(
    migrated: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No task per release (asyncpg shields each one); the connection is back all the same,
    also for a request cancelled while it held one."""
    async with db.connected(migrated) as engine:
        assert isinstance(engine, db_postgres.PostgresEngine)
        pool = engine.pool
        async with pool.acquire() as connection:
            pid = await connection.fetchval("SELECT pg_backend_pid()")
        idle = pool.get_idle_size()

        shielded: list[object] = []
        shield = asyncio.shield

        def counted(awaitable: object) -> object:
            shielded.append(awaitable)
            return shield(awaitable)  # type: ignore[arg-type]

        monkeypatch.setattr(asyncio, "shield", counted)
        async with pool.acquire() as connection:
            assert await connection.fetchval("SELECT pg_backend_pid()") == pid
        assert shielded == []
        assert pool.get_idle_size() == idle

        holding = asyncio.Event()

        async def hold() -> None:
            async with pool.acquire() as connection:
                await connection.fetchval("SELECT 1")
                holding.set()
                await asyncio.Event().wait()

        task = asyncio.create_task(hold())
        await holding.wait()
        assert pool.get_idle_size() == idle - 1
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        monkeypatch.undo()
        assert shielded == []
        assert pool.get_idle_size() == idle
        async with pool.acquire() as connection:
            assert await connection.fetchval("SELECT pg_backend_pid()") == pid


async def test_a_new_connection_knows_the_array_types_before_it_serves(
    migrated: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[object] = []
    introspect = asyncpg.Connection._introspect_types

    async def counted(self: asyncpg.Connection, type_ids: object, *rest: object) -> object:
        looked_up.append(type_ids)
        return await introspect(self, type_ids, *rest)

    monkeypatch.setattr(asyncpg.Connection, "_introspect_types", counted)
    pool = await db_postgres.open_pool(migrated.resolved_database_url, max_size=2, min_size=2)
    try:
        assert len(looked_up) == 2  # once for each connection, as it opened
        for _ in range(2):
            async with pool.acquire() as connection:
                found = await connection.fetch(
                    "SELECT n FROM generate_series(1, 5) n WHERE n = ANY($1) ORDER BY n", [2, 4]
                )
                assert [row["n"] for row in found] == [2, 4]
    finally:
        await pool.close()
    assert len(looked_up) == 2  # and not again when serving


async def test_connections_are_handed_out_in_arrival_order(migrated: Settings) -> None:
    pool = await db_postgres.open_pool(migrated.resolved_database_url, max_size=1)
    served: list[str] = []

    async def take(name: str) -> None:
        async with pool.acquire():
            served.append(name)

    try:
        first = await pool.acquire()
        waiting = [asyncio.create_task(take(f"waiter {n}")) for n in range(3)]
        await asyncio.sleep(0.05)  # all three are in line now
        await pool.release(first)
        # Straight after the release, before the first waiter runs again: asyncpg's own queue
        # would hand this newcomer the connection.
        await take("newcomer")
        await asyncio.gather(*waiting)
    finally:
        await pool.close()
    assert served == ["waiter 0", "waiter 1", "waiter 2", "newcomer"]


async def test_work_others_wait_for_goes_before_work_in_hand_and_newcomers(
    migrated: Settings,
) -> None:
    pool = await db_postgres.open_pool(migrated.resolved_database_url, max_size=1)
    served: list[str] = []
    go = asyncio.Event()

    async def take(name: str) -> None:
        async with pool.acquire():
            served.append(name)

    async def in_hand() -> None:
        await take("in hand, first query")  # served once: its next turn is work in hand
        await go.wait()
        await take("in hand")

    async def batch() -> None:
        db_postgres.serve_first()
        await take("batch")

    try:
        request = asyncio.create_task(in_hand())
        await asyncio.sleep(0.05)
        first = await pool.acquire()
        # The first in line waits at asyncpg's own queue, holding the line: the order is
        # that of those behind it.
        ahead = asyncio.create_task(take("first in line"))
        await asyncio.sleep(0.05)
        # A context of its own: this task has been served (``first``), a request has not.
        newcomer = asyncio.create_task(take("newcomer"), context=contextvars.Context())
        await asyncio.sleep(0.05)
        go.set()
        await asyncio.sleep(0.05)
        waited_for = asyncio.create_task(batch())
        await asyncio.sleep(0.05)  # all three are in line, the batch last
        await pool.release(first)
        await asyncio.gather(ahead, request, newcomer, waited_for)
    finally:
        await pool.close()
    assert served == ["in hand, first query", "first in line", "batch", "in hand", "newcomer"]
