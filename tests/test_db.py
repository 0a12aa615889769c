"""The embedded SQLite engine: persistent connections, WAL, serialized writing transactions."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import threading

import pytest

from mupass_forum import db
from mupass_forum.db_sqlite import SQLiteEngine


@pytest.fixture
async def engine(tmp_path):
    engine = SQLiteEngine(str(tmp_path / "engine.sqlite3"), readers=3)
    await engine.run_ddl("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)")
    await engine.run_sql("INSERT INTO counter (id, value) VALUES (1, 0)")
    yield engine
    await engine.stop_all()


async def read_value(engine: SQLiteEngine) -> int:
    rows = await engine.run_sql("SELECT value FROM counter WHERE id = 1")
    return int(rows[0]["value"])


async def test_the_database_runs_in_wal_mode(engine):
    rows = await engine.run_sql("PRAGMA journal_mode")
    assert rows[0]["journal_mode"] == "wal"


async def test_reads_use_read_only_connections(engine):
    reader = await engine._reader()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await reader.execute("UPDATE counter SET value = 99")
    assert await read_value(engine) == 0


async def test_connections_are_kept_open(engine):
    for _ in range(20):
        await read_value(engine)
    connections = await engine.loop_connections()
    assert len(connections.readers) == 3
    assert connections.writer is not None


async def test_concurrent_read_modify_write_transactions_lose_no_update(engine):
    async def increment() -> None:
        async with engine.transaction():
            value = (await engine.run_sql("SELECT value FROM counter WHERE id = 1"))[0]["value"]
            await asyncio.sleep(0)  # let the other tasks try to interleave
            await engine.run_sql("UPDATE counter SET value = ? WHERE id = 1", [value + 1])

    await asyncio.gather(*(increment() for _ in range(60)))

    assert await read_value(engine) == 60


@pytest.mark.parametrize("short", [False, True])
async def test_two_engines_on_one_file_wait_for_each_other(engine, short):
    """Like two server processes: the busy timeout makes the second writer wait, not fail (a
    short transaction waits for the lock on the writer's thread, then holds it briefly)."""
    other = SQLiteEngine(engine.path, readers=1)

    async def increment(on: SQLiteEngine) -> None:
        async with on.transaction(short=short):
            value = (await on.run_sql("SELECT value FROM counter WHERE id = 1"))[0]["value"]
            await asyncio.sleep(0.001)
            await on.run_sql("UPDATE counter SET value = ? WHERE id = 1", [value + 1])

    try:
        await asyncio.gather(*(increment(engine if i % 2 else other) for i in range(40)))
    finally:
        await other.stop_all()

    assert await read_value(engine) == 40


async def test_a_failed_transaction_leaves_nothing_behind(engine):
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            await engine.run_sql("UPDATE counter SET value = 5 WHERE id = 1")
            raise RuntimeError("boom")

    assert await read_value(engine) == 0
    # The writer is free again.
    async with engine.transaction():
        await engine.run_sql("UPDATE counter SET value = 7 WHERE id = 1")
    assert await read_value(engine) == 7


async def test_nested_transactions_join_the_outer_one(engine):
    with pytest.raises(RuntimeError):
        async with engine.transaction():
            async with engine.transaction():
                await engine.run_sql("UPDATE counter SET value = 3 WHERE id = 1")
            raise RuntimeError("outer fails")
    assert await read_value(engine) == 0


def read_from_another_connection(path: str) -> list[tuple[int]]:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        return connection.execute("SELECT value FROM counter").fetchall()


async def test_inline_reads_see_what_the_writer_committed(engine):
    await engine.run_sql("UPDATE counter SET value = 3 WHERE id = 1")

    rows = await engine.read_inline("SELECT value FROM counter WHERE id = ?", [1])

    assert rows == [{"value": 3}]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await engine.read_inline("UPDATE counter SET value = 9 WHERE id = 1", [])


async def test_inline_reads_in_a_transaction_see_its_own_writes(engine):
    async with engine.transaction():
        await engine.run_sql("UPDATE counter SET value = 4 WHERE id = 1")
        inside = await engine.read_inline("SELECT value FROM counter WHERE id = 1", [])
        outside = await asyncio.to_thread(read_from_another_connection, engine.path)
    assert inside == [{"value": 4}]
    assert outside == [(0,)]


async def writer_thread(engine: SQLiteEngine) -> int:
    """The thread the next statement of the current transaction runs on."""
    rows = await engine.run_sql("SELECT thread_of_statement() AS thread")
    return int(rows[0]["thread"])


async def with_thread_probe(engine: SQLiteEngine) -> None:
    connections = await engine.loop_connections()
    writer = await engine.writer(connections)
    await writer.create_function("thread_of_statement", 0, threading.get_ident)


async def test_a_short_transaction_runs_its_statements_on_the_loops_thread(engine):
    await with_thread_probe(engine)
    async with engine.transaction():
        assert await writer_thread(engine) != threading.get_ident()
    async with engine.transaction(short=True):
        assert await writer_thread(engine) == threading.get_ident()
        await engine.run_sql("UPDATE counter SET value = 5 WHERE id = 1")
        outside = await asyncio.to_thread(read_from_another_connection, engine.path)
    assert outside == [(0,)]
    assert await read_value(engine) == 5
    # Every transaction after it is an ordinary one again, on the writer's thread.
    async with engine.transaction():
        assert await writer_thread(engine) != threading.get_ident()


async def test_a_short_transaction_waits_for_a_lock_another_process_holds(engine):
    other = SQLiteEngine(engine.path, readers=1)
    holding, release = asyncio.Event(), asyncio.Event()

    async def hold() -> None:
        async with other.transaction():
            await other.run_sql("UPDATE counter SET value = 10 WHERE id = 1")
            holding.set()
            await release.wait()

    async def add_one() -> None:
        async with engine.transaction(short=True):
            value = (await engine.run_sql("SELECT value FROM counter WHERE id = 1"))[0]["value"]
            await engine.run_sql("UPDATE counter SET value = ? WHERE id = 1", [value + 1])

    try:
        holder = asyncio.create_task(hold())
        await holding.wait()
        adding = asyncio.create_task(add_one())
        await asyncio.sleep(0.05)
        assert not adding.done()  # waiting for the lock, not failing, nor holding up the loop
        release.set()
        await asyncio.gather(holder, adding)
    finally:
        await other.stop_all()
    assert await read_value(engine) == 11


async def test_a_failed_short_transaction_leaves_nothing_behind(engine):
    with pytest.raises(RuntimeError):
        async with engine.transaction(short=True):
            await engine.run_sql("UPDATE counter SET value = 5 WHERE id = 1")
            raise RuntimeError("boom")
    assert await read_value(engine) == 0


async def test_short_transactions_keep_savepoints(engine):
    async with engine.transaction(short=True) as transaction:
        await engine.run_sql("UPDATE counter SET value = 1 WHERE id = 1")
        savepoint = await transaction.savepoint()
        await engine.run_sql("UPDATE counter SET value = 2 WHERE id = 1")
        await savepoint.rollback_to()
    assert await read_value(engine) == 1


async def test_open_all_opens_every_connection_of_the_loop(engine):
    await engine.open_all()
    connections = await engine.loop_connections()
    assert connections.writer is not None
    assert connections.inline is not None
    assert len(connections.readers) == engine.reader_count


def test_placeholders_compile_as_piccolo_writes_them() -> None:
    sql = "SELECT {} AS a, '{{literal}}' AS b WHERE id = {}"
    assert db.compiled(sql, "sqlite") == "SELECT ? AS a, '{literal}' AS b WHERE id = ?"
    assert db.compiled(sql, "postgres") == "SELECT $1 AS a, '{literal}' AS b WHERE id = $2"
