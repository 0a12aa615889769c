"""CPU time per request of the forums' and the board's hot reads, in-process, on SQLite and
PostgreSQL.

Requests are driven straight through the ASGI app (no server, no client, no sockets), a few
hundred or thousand times each, and the process's CPU time (user + system) is divided by their
number: unlike requests per second over loopback, that figure hardly moves with the machine's
load. The health check and the bare JSON endpoint are measured next to the pages. Data: the
demo's forums (the forum with the most programme items) and ``board.py``'s board of
``--posts`` posts (the thread page: 25 posts of a 100-post thread, as JSON and as HTML). Each
line also shows the body's size and a digest of it, so that two runs of different code can be
compared byte for byte; ``--profile LABEL`` prints cProfile's view of one address. On
PostgreSQL the CPU time of the database's backends serving the app's pool is shown beside it
(read from ``/proc``: the server must run on this machine); their work runs on another core.
``--keep-sqlite``/``--keep-postgres`` keep the board and reuse it (as ``board.py`` does, e.g. its
million posts with ``--posts 1000000``).

    .venv/bin/python benchmarks/cpu_per_request.py [--requests 1000] [--posts 20000]
        [--databases sqlite,postgres] [--locale de] [--profile "thread page"]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--keep-sqlite .bench-data/board.sqlite3] [--keep-postgres board_bench]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import hashlib
import os
import pstats
import sqlite3
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
from board import bench_app, seeded_database, thread_sizes
from forums import database as demo_database

FORUM_ADDRESSES = (
    ("health check", "/health/live"),
    ("bare JSON endpoint", "/bench/hello"),
    ("forum list", "/api/v1/forums"),
    ("one forum", "/api/v1/forums/{slug}"),
    ("its programme", "/api/v1/forums/{slug}/programme"),
    ("forum page", "/forums/{slug}"),
    ("forum list page", "/forums"),
)
BOARD_ADDRESSES = (
    ("health check", "/health/live"),
    ("bare JSON endpoint", "/bench/hello"),
    ("thread page as JSON", "/api/v1/board/threads/{thread}/posts?limit=25"),
    ("thread page", "/board/threads/{thread}"),
)
BUSIEST_FORUM = (
    "SELECT f.slug FROM forum f JOIN forum_programme_item i ON i.forum = f.id "
    "GROUP BY f.slug ORDER BY count(*) DESC LIMIT 1"
)

App = Callable[
    [dict[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Any
]


async def get(app: App, address: str, locale: str) -> tuple[int, bytes]:
    """``GET address`` through the ASGI app: the status and the body."""
    path, _, query = address.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": query.encode(),
        "root_path": "", "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 80),
        "headers": [(b"host", b"127.0.0.1"), (b"accept-language", locale.encode())],
        "state": {},
    }  # fmt: skip
    status: list[int] = []
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    return status[0], b"".join(body)


@contextlib.asynccontextmanager
async def started(app: App) -> Any:
    """The app between its lifespan's start-up and shut-down."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    inbox.put_nowait({"type": "lifespan.startup"})
    lifespan = asyncio.create_task(
        app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, outbox.put)
    )
    message = await outbox.get()
    if message["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {message}")
    try:
        yield
    finally:
        inbox.put_nowait({"type": "lifespan.shutdown"})
        await outbox.get()
        await lifespan


async def measure(
    database_url: str, addresses: list[tuple[str, str]], requests: int, locale: str, profile: str
) -> None:
    os.environ.update(
        MUPASS_DATABASE_URL=database_url,
        MUPASS_MAIL_RELAY="off",
        MUPASS_LOG_LEVEL="WARNING",
        MUPASS_OPENAPI="0",
    )
    app = bench_app()
    async with started(app):
        for _label, address in addresses:  # warm-up: caches, pools, compiled templates
            for _ in range(100):
                status, _ = await get(app, address, locale)
                if status != 200:
                    raise RuntimeError(f"{address} answered {status}")
        pids = await backends(database_url)
        for label, address in addresses:
            _, body = await get(app, address, locale)
            profiler = cProfile.Profile() if label == profile else None
            database = sum(cpu_seconds(pid) for pid in pids)
            used = time.process_time()
            if profiler is not None:
                profiler.enable()
            for _ in range(requests):
                await get(app, address, locale)
            if profiler is not None:
                profiler.disable()
            used = (time.process_time() - used) * 1000 / requests
            database = (sum(cpu_seconds(pid) for pid in pids) - database) * 1000 / requests
            digest = hashlib.sha256(body).hexdigest()[:8]
            beside = f"  + database {database:.3f} ms" if pids else ""
            print(f"  {label:<22}{used:>7.3f} ms  {len(body):>7,} B  {digest}{beside}", flush=True)
            if profiler is not None:
                pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def backends(database_url: str) -> list[int]:
    """The PostgreSQL backends serving the database's clients (the app's pool), none on
    SQLite."""
    if database_url.startswith("sqlite:"):
        return []
    connection = await asyncpg.connect(database_url)
    try:
        rows = await connection.fetch(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
    finally:
        await connection.close()
    return [int(row["pid"]) for row in rows]


def busiest_forum(database_url: str) -> str:
    if database_url.startswith("sqlite:///"):
        with contextlib.closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as db:
            return str(db.execute(BUSIEST_FORUM).fetchone()[0])

    async def ask() -> str:
        connection = await asyncpg.connect(database_url)
        try:
            return str(await connection.fetchval(BUSIEST_FORUM))
        finally:
            await connection.close()

    return asyncio.run(ask())


@contextlib.contextmanager
def databases(
    kind: str, workdir: Path, admin_url: str, options: argparse.Namespace
) -> Iterator[tuple[str, str]]:
    """The demo's forums and a seeded board on ``kind``."""
    board_options = argparse.Namespace(
        posts=options.posts,
        postgres_url=admin_url,
        keep_sqlite=options.keep_sqlite,
        keep_postgres=options.keep_postgres,
    )
    forums_dir, board_dir = workdir / "forums", workdir / "board"
    forums_dir.mkdir()
    board_dir.mkdir()
    with (
        demo_database(kind, forums_dir, admin_url) as forums_url,
        seeded_database(kind, board_options, board_dir) as board_url,
    ):
        yield forums_url, board_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--locale", default="de")
    parser.add_argument("--profile", default="")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep-sqlite", type=Path, help="the board's SQLite file, kept")
    parser.add_argument("--keep-postgres", help="the board's PostgreSQL database, kept")
    options = parser.parse_args()
    print(f"CPU time per request in-process, {options.requests} requests per address")
    for kind in options.databases.split(","):
        with (
            tempfile.TemporaryDirectory(prefix="cpu-bench-") as workdir,
            databases(kind, Path(workdir), options.postgres_url, options) as urls,
        ):
            forums_url, board_url = urls
            slug = busiest_forum(forums_url)
            thread = len(thread_sizes(options.posts)) // 2
            for name, url, addresses in (
                ("forums", forums_url, FORUM_ADDRESSES),
                ("board", board_url, BOARD_ADDRESSES),
            ):
                print(f"{kind}, {name}:")
                listed = [(label, a.format(slug=slug, thread=thread)) for label, a in addresses]
                asyncio.run(measure(url, listed, options.requests, options.locale, options.profile))


if __name__ == "__main__":
    main()
