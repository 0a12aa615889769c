"""Keyset page reads through Piccolo: the stock SQLite engine against the service's engine.

Seeds a table of posts (200,000 by default) into a temporary SQLite file, then reads 25-row pages
by keyset from many concurrent tasks and prints pages per second and latency percentiles for each
engine. Bounded in rows and time; touches nothing but its temporary file.

    .venv/bin/python benchmarks/sqlite_engine.py [--rows 200000] [--pages 4000] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from piccolo.columns import Integer, Text, Timestamptz
from piccolo.engine.sqlite import SQLiteEngine as StockSQLiteEngine
from piccolo.table import Table

from mupass_forum.db_sqlite import SQLiteEngine


class Post(Table, tablename="bench_post"):
    thread = Integer(index=True)
    body = Text()
    created = Timestamptz()


def seed(path: Path, rows: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute(
        "CREATE TABLE bench_post (id INTEGER PRIMARY KEY, thread INTEGER NOT NULL, "
        "body TEXT NOT NULL, created TIMESTAMPTZ NOT NULL)"
    )
    connection.execute("CREATE INDEX bench_post_thread ON bench_post (thread, id)")
    connection.executemany(
        "INSERT INTO bench_post (thread, body, created) VALUES (?, ?, ?)",
        (
            (i % 2000, f"Post {i} on sustainable procurement " * 4, "2026-01-01T00:00:00+00:00")
            for i in range(rows)
        ),
    )
    connection.commit()
    connection.close()


async def read_pages(pages: int, concurrency: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    queue = list(range(pages))

    async def worker() -> None:
        while queue:
            queue.pop()
            thread = random.randrange(2000)
            started = time.perf_counter()
            rows = await (
                Post.select(Post.id, Post.body, Post.created)
                .where((Post.thread == thread) & (Post.id > 0))
                .order_by(Post.id)
                .limit(25)
            )
            latencies.append(time.perf_counter() - started)
            assert len(rows) == 25

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return pages / (time.perf_counter() - started), latencies


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] * 1000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--pages", type=int, default=4_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        seed(path, args.rows)
        print(f"{args.rows} posts, {args.pages} pages of 25, {args.concurrency} concurrent readers")
        print(f"{'engine':<28} {'pages/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
        engines = {
            "piccolo stock SQLiteEngine": StockSQLiteEngine(path=str(path)),
            "mupass SQLiteEngine": SQLiteEngine(str(path), readers=4),
        }
        for name, engine in engines.items():
            Post._meta.db = engine
            await read_pages(min(200, args.pages), args.concurrency)  # warm-up
            rate, latencies = await read_pages(args.pages, args.concurrency)
            print(
                f"{name:<28} {rate:>9.0f} {percentile(latencies, 0.5):>8.2f} "
                f"{percentile(latencies, 0.99):>8.2f}"
            )
            if isinstance(engine, SQLiteEngine):
                await engine.stop_all()


if __name__ == "__main__":
    asyncio.run(main())
