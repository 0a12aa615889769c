"""The forums' most-read endpoints next to the bare endpoint, on SQLite and PostgreSQL.

For each database the script builds a fresh schema with the real migrations, loads the demo
(two forums with their programmes), starts the real service under uvicorn on a free loopback
port (one worker, as ``board.py`` does) and loads one endpoint after another with wrk (or a
small asyncio client): the bare Litestar JSON endpoint, ``GET /api/v1/forums``, one forum and
its programme. It prints requests per second, the share of the bare endpoint's (target: at
least 0.3), p99 and the server's CPU time per request. Bounded in time, it stops the server
itself and removes its databases.

    .venv/bin/python benchmarks/forums.py [--seconds 10] [--connections 32]
        [--databases sqlite,postgres] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
from board import Figure, _admin, _database, measured, server

TARGET_SHARE = 0.3
ENDPOINTS = (
    ("bare JSON endpoint", "/bench/hello"),
    ("forum list", "/api/v1/forums"),
    ("one forum", "/api/v1/forums/{slug}"),
    ("its programme", "/api/v1/forums/{slug}/programme"),
)


async def demo(database_url: str, data_dir: Path) -> None:
    from mupass_forum import db, db_migrations
    from mupass_forum.app import build_context
    from mupass_forum.app_context import bound
    from mupass_forum.demo import load_demo_data
    from mupass_forum.settings import Settings

    settings = Settings.from_env(
        environ={}, database_url=database_url, data_dir=data_dir, mail_relay="off"
    )
    with bound(build_context(settings)):
        async with db.connected(settings):
            await db_migrations.migrate()
            await load_demo_data()


@contextlib.contextmanager
def database(kind: str, workdir: Path, admin_url: str) -> Iterator[str]:
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'forums-bench.sqlite3'}"
        asyncio.run(demo(url, workdir))
        yield url
        return
    name = f"mupass_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        url = _database(admin_url, name)
        asyncio.run(demo(url, workdir))
        yield url
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    tool = "wrk -t1" if shutil.which("wrk") else "an asyncio client"
    print(
        f"demo data (two forums); {tool}, {options.connections} connections, "
        f"{options.seconds} s per endpoint; one uvicorn worker on 127.0.0.1"
    )
    results: dict[str, dict[str, Figure]] = {}
    with tempfile.TemporaryDirectory(prefix="forums-bench-") as workdir:
        for kind in options.databases.split(","):
            try:
                with database(kind, Path(workdir), options.postgres_url) as url:
                    log = Path(workdir) / f"server-{kind}.log"
                    with server(url, log) as base:
                        slug = httpx.get(f"{base}/api/v1/forums", timeout=30).json()["items"][0][
                            "slug"
                        ]
                        figures: dict[str, Figure] = {}
                        for label, path in ENDPOINTS:
                            target = base + path.format(slug=slug)
                            httpx.get(target, timeout=30).raise_for_status()
                            figures[label] = measured(
                                base, target, options.seconds, options.connections
                            )
                        results[kind] = figures
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"{kind}: skipped ({exc})")
    print()
    for kind, figures in results.items():
        bare = figures["bare JSON endpoint"].requests_per_second
        print(f"{kind:<10}{'req/s':>10}{'share':>8}{'p99':>10}{'CPU/req':>10}")
        for label, _ in ENDPOINTS:
            figure = figures[label]
            share = figure.requests_per_second / bare
            met = "met" if share >= TARGET_SHARE else "MISSED"
            verdict = "" if label.startswith("bare") else f"  {met}"
            errors = f" ({figure.errors} errors)" if figure.errors else ""
            print(
                f"{label:<20}{figure.requests_per_second:>10,.0f}{share:>8.2f}"
                f"{figure.p99_ms:>7.1f} ms{figure.cpu_ms or 0:>7.2f} ms{verdict}{errors}"
            )
        print()


if __name__ == "__main__":
    main()
