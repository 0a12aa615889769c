"""CPU time per board search, in-process: the service's and, on PostgreSQL, the database's.

Runs ``search.search`` for each word again and again against a seeded board (``board.py
--keep-sqlite`` / ``--keep-postgres`` keep one), one search at a time, anonymous, and prints
the CPU time per search of this process and of the PostgreSQL backends serving it (read from
``/proc``; the server must run on this machine). CPU time, unlike wall time, barely moves
when other work shares the cores. ``--profile`` prints where this process's time goes.

    .venv/bin/python benchmarks/board_search_cpu.py sqlite:///.bench-data/board-1m.sqlite3 \\
        [--searches 200] [--words Recyclingpapier,Kreislaufwirtschaft,Kreislauf] [--profile]
        [--without-word-lists]

``--without-word-lists`` searches PostgreSQL the general way only (not through
``board_search_term``), to compare the two on the same board.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import os
import pstats
import time
from pathlib import Path

from mupass_forum import db
from mupass_forum.accounts.principal import ANONYMOUS
from mupass_forum.board import search
from mupass_forum.settings import Settings

WORDS = "Recyclingpapier,Kreislaufwirtschaft,Kreislauf"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def backends() -> list[int]:
    """The PostgreSQL backends of this process's pool (none on SQLite)."""
    if not db.is_postgres():
        return []
    rows = await db.read_indexed(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND application_name = '' AND backend_type = 'client backend'"
    )
    return [int(row["pid"]) for row in rows]


async def one(word: str, limit: int) -> int:
    result = await search.search(ANONYMOUS, word, search.SearchFilters(), limit, 0)
    return result.total


async def measure(url: str, words: list[str], searches: int, limit: int, profile: bool) -> None:
    settings = Settings.from_env(environ={}, database_url=url, mail_relay="off")
    async with db.connected(settings):
        for word in words:
            for _ in range(20):  # warm: connections, caches, the pool's backends
                total = await one(word, limit)
            pids = await backends()
            database_before = sum(cpu_seconds(pid) for pid in pids)
            profiler = cProfile.Profile() if profile else None
            before, wall = time.process_time(), time.perf_counter()
            if profiler:
                profiler.enable()
            for _ in range(searches):
                await one(word, limit)
            if profiler:
                profiler.disable()
            used = time.process_time() - before
            elapsed = time.perf_counter() - wall
            database = sum(cpu_seconds(pid) for pid in pids) - database_before
            print(
                f"{word:<22} total {total:>4}: service {used * 1000 / searches:6.2f} ms CPU, "
                f"database {database * 1000 / searches:6.2f} ms CPU, "
                f"wall {elapsed * 1000 / searches:6.2f} ms per search",
                flush=True,
            )
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--words", default=WORDS)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--without-word-lists", action="store_true")
    options = parser.parse_args()
    search.WORD_LISTS = not options.without_word_lists
    asyncio.run(
        measure(
            options.database_url,
            options.words.split(","),
            options.searches,
            options.limit,
            options.profile,
        )
    )


if __name__ == "__main__":
    main()
