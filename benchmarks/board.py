"""The board at a million posts: throughput and p99 of its hot reads, on SQLite and PostgreSQL.

For each database the script builds a fresh schema with the real migrations, seeds 1,000,000
posts straight through SQL (a 10,000-post thread, the rest in threads of 100, in four
languages), starts the real service under uvicorn on a free loopback port (one worker), and
loads it with wrk (or, without wrk, a small asyncio client), one endpoint after another:

- a bare Litestar JSON endpoint on the same server (the stack's ceiling),
- a thread page (25 posts of a 100-post thread),
- the first and the last page of the 10,000-post thread,
- a search for a word found in about one post in a thousand, one in 50, one in four, and for
  the beginning of the common word (its longer forms, on SQLite).

It prints requests per second, the share of the bare endpoint's, p99 and the server's CPU time
per request side by side, and whether the targets hold (thread page at least 0.4 of the bare
endpoint's throughput; last page p99 within 1.5x the first page's; any search at least 0.15,
p99 under 150 ms). Bounded in time and requests, it stops the server itself and removes its
databases (unless asked to keep them).

    .venv/bin/python benchmarks/board.py [--posts 1000000] [--seconds 10] [--connections 32]
        [--databases sqlite,postgres] [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
        [--keep-sqlite .bench-data/board.sqlite3] [--keep-postgres board_bench] [--only search]

With ``--keep-sqlite``/``--keep-postgres`` the seeded database is kept and reused by the next
run (a million posts take minutes to seed); ``--only`` measures the endpoints whose label
contains the text, next to the bare endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
BIG_THREAD_POSTS = 10_000
THREAD_POSTS = 100
SEARCH_WORD = "Recyclingpapier"
#: In one post of four, in every language: a search that matches a quarter of the board.
COMMON_WORD = "Kreislaufwirtschaft"
#: In one post of 50: too common to ask the index for every match, too rare for a short walk.
MIDDLE_WORD = "Mehrwegsystem"
#: The beginning of the common word and of no word of its own: its longer forms are searched.
COMMON_BEGINNING = "Kreislauf"
LANGUAGES = ("de", "en", "fr", "es")
WORDS = {
    "de": "Beschaffung Kommune Ausschreibung Kriterien nachhaltig Lieferkette Vergabe fair",
    "en": "procurement municipality tender criteria sustainable supply chain contract fair",
    "fr": "achats commune appel offres critères durable chaîne approvisionnement marché",
    "es": "compras municipio licitación criterios sostenible cadena suministro contrato",
}


# The server under test --------------------------------------------------------------------------


def bench_app():  # type: ignore[no-untyped-def]
    """The service as ``create_app`` builds it, plus a bare JSON endpoint (``uvicorn
    --factory``)."""
    from litestar import get

    from mupass_forum.app import create_app

    @get("/bench/hello", operation_id="bench_hello", summary="Hello", sync_to_thread=False)
    def hello() -> dict[str, str]:
        """The stack's ceiling: no database, no service."""
        return {"hello": "world"}

    app = create_app()
    app.register(hello)
    return app


class Served(str):
    """The server's base address, and the CPU time its process has used so far."""

    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(database_url: str, log: Path) -> Iterator[Served]:
    port = free_port()
    env = {
        **os.environ,
        "MUPASS_DATABASE_URL": database_url,
        "MUPASS_MAIL_RELAY": "off",
        "MUPASS_LOG_LEVEL": "WARNING",
        "MUPASS_OPENAPI": "0",
        "PYTHONPATH": f"{ROOT / 'benchmarks'}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "board:bench_app",
        "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    with running(command, env, port, "/bench/hello", log) as base:
        yield base


@contextlib.contextmanager
def running(
    command: list[str], env: dict[str, str], port: int, probe: str, log: Path, seconds: int = 60
) -> Iterator[Served]:
    """``command`` serving on ``port`` (once ``probe`` answers 200), stopped on leaving."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = Served(f"http://127.0.0.1:{port}")
    base.process = process
    try:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}{probe}", timeout=2).status_code == 200:
                    break
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped:\n{log.read_text()}")
            time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not start within {seconds} s")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Load ------------------------------------------------------------------------------------------


@dataclass
class Figure:
    requests_per_second: float
    p99_ms: float
    errors: int
    #: CPU time of the server's process per request, when measured.
    cpu_ms: float | None = None


def measured(base: Served, url: str, seconds: int, connections: int) -> Figure:
    """``load`` after a warm-up, with the server's CPU time per request."""
    load(url, 2, connections)
    before = base.cpu_seconds()
    figure = load(url, seconds, connections)
    used = base.cpu_seconds() - before
    figure.cpu_ms = used * 1000 / max(1.0, figure.requests_per_second * seconds)
    return figure


def _ms(text: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if found is None:
        raise ValueError(f"wrk printed a latency this script does not read: {text!r}")
    value, unit = found.groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def with_wrk(url: str, seconds: int, connections: int) -> Figure:
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    latency = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if latency is None:
        raise RuntimeError(f"wrk gave no latency distribution:\n{output}")
    p99 = _ms(latency.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return Figure(rps, p99, int(errors.group(1)) if errors else 0)


async def _with_client(url: str, seconds: int, connections: int) -> Figure:
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            nonlocal errors
            while time.monotonic() < deadline:
                started = time.perf_counter()
                response = await client.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code >= 300

        started = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    return Figure(len(latencies) / elapsed, p99, errors)


def load(url: str, seconds: int, connections: int) -> Figure:
    if shutil.which("wrk"):
        return with_wrk(url, seconds, connections)
    return asyncio.run(_with_client(url, seconds, connections))


# Seeding ---------------------------------------------------------------------------------------


def body(n: int, language: str) -> str:
    words = WORDS[language].split()
    picked = " ".join(words[(n * 7 + i * 3) % len(words)] for i in range(12))
    rare = f" {SEARCH_WORD}" if n % 997 == 0 else ""
    common = f" {COMMON_WORD}" if (n // 4) % 4 == 0 else ""
    middle = f" {MIDDLE_WORD}" if n % 50 == 7 else ""
    return f"Post {n}: {picked}{rare}{common}{middle}."


def thread_sizes(posts: int) -> list[int]:
    rest = posts - BIG_THREAD_POSTS
    return (
        [BIG_THREAD_POSTS]
        + [THREAD_POSTS] * (rest // THREAD_POSTS)
        + ([rest % THREAD_POSTS] if rest % THREAD_POSTS else [])
    )


def rows(posts: int) -> Iterator[tuple[int, int, str, str | None, str, str]]:
    """(thread, position, language, title, source, html) for every post."""
    n = 0
    for thread, size in enumerate(thread_sizes(posts), start=1):
        for position in range(1, size + 1):
            n += 1
            language = LANGUAGES[n % 4]
            source = body(n, language)
            title = (
                f"Thread {thread}: {WORDS[language].split()[thread % 8]}" if position == 1 else None
            )
            yield thread, position, language, title, source, f"<p>{source}</p>\n"


async def migrate(database_url: str) -> None:
    from mupass_forum import db, db_migrations
    from mupass_forum.settings import Settings

    settings = Settings.from_env(environ={}, database_url=database_url, mail_relay="off")
    async with db.connected(settings):
        await db_migrations.migrate()


USER_SQL = (
    "INSERT INTO account_user (email, password_hash, display_name, locale, timezone, "
    "email_verified_at, is_platform_admin, created_at, updated_at) VALUES "
    "('bench@example.org', '-', 'Bench Author', 'en', 'Europe/Berlin', {now}, {false}, "
    "{now}, {now})"
)
CATEGORY_SQL = (
    "INSERT INTO board_category (slug, name, position, read_access, post_access, created_at) "
    """VALUES ('bench', '{{"original": "en", "texts": {{"en": "Benchmark"}}}}', 0, 'public', """
    "'signed_in', {now})"
)


def seed_sqlite(path: Path, posts: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    now = "'2026-01-01 00:00:00+00:00'"
    with connection:
        connection.execute(USER_SQL.format(now=now, false=0))
        connection.execute(CATEGORY_SQL.format(now=now))
        connection.executemany(
            "INSERT INTO board_thread (id, category, author, title, language, tags, pinned, "
            "locked, created_at, last_activity_at, last_post_id, post_count) "
            "VALUES (?, 1, 1, ?, 'en', '[]', 0, 0, ?, ?, 0, ?)",
            (
                (thread, f"Thread {thread}", "2026-01-01 00:00:00+00:00",
                 "2026-01-01 00:00:00+00:00", size)
                for thread, size in enumerate(thread_sizes(posts), start=1)
            ),
        )  # fmt: skip
        connection.executemany(
            "INSERT INTO board_post (thread, position, author, language, title, source, html, "
            "created_at, revision, open_flags) "
            "VALUES (?, ?, 1, ?, ?, ?, ?, '2026-01-01 00:00:00+00:00', 0, 0)",
            rows(posts),
        )
        connection.execute(
            "UPDATE board_thread SET last_post_id = "
            "(SELECT max(id) FROM board_post WHERE thread = board_thread.id)"
        )
    connection.execute("ANALYZE")
    connection.close()


async def seed_postgres(url: str, posts: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        now = "now()"
        await connection.execute(USER_SQL.format(now=now, false="false"))
        await connection.execute(CATEGORY_SQL.format(now=now))
        # Building the full-text index and the word lists once at the end is far cheaper than
        # row by row (the lists' triggers are off meanwhile).
        await connection.execute("DROP INDEX board_post_search")
        word_indexes = [
            str(row["indexdef"])
            for row in await connection.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'board_search_term'"
            )
        ]
        for definition in word_indexes:
            await connection.execute(f"DROP INDEX {definition.split()[2]}")
        await connection.execute("ALTER TABLE board_post DISABLE TRIGGER USER")
        sizes = thread_sizes(posts)
        await connection.copy_records_to_table(
            "board_thread",
            columns=["id", "category", "author", "title", "language", "tags", "pinned", "locked",
                     "created_at", "last_activity_at", "last_post_id", "post_count"],
            records=[
                (thread, 1, 1, f"Thread {thread}", "en", "[]", False, False,
                 _utc(), _utc(), 0, size)
                for thread, size in enumerate(sizes, start=1)
            ],
        )  # fmt: skip
        batch: list[tuple[object, ...]] = []
        for row in rows(posts):
            batch.append((*row, 1, _utc(), 0, 0))
            if len(batch) == 50_000:
                await _copy_posts(connection, batch)
                batch = []
        if batch:
            await _copy_posts(connection, batch)
        await connection.execute(
            "SELECT setval(pg_get_serial_sequence('board_thread', 'id'), "
            "(SELECT max(id) FROM board_thread))"
        )
        await connection.execute(
            "UPDATE board_thread t SET last_post_id = m.last FROM "
            "(SELECT thread, max(id) AS last FROM board_post GROUP BY thread) m "
            "WHERE m.thread = t.id"
        )
        await connection.execute(
            "CREATE INDEX board_post_search ON board_post USING gin (search_vector)"
        )
        await connection.execute("ALTER TABLE board_post ENABLE TRIGGER USER")
        await connection.execute(
            "INSERT INTO board_search_term (term, post, translation) "
            "SELECT unnest(tsvector_to_array(search_vector)), id, 0 FROM board_post"
        )
        for definition in word_indexes:
            await connection.execute(definition)
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


def _utc():  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC)


async def _copy_posts(connection: asyncpg.Connection, batch: list[tuple[object, ...]]) -> None:
    await connection.copy_records_to_table(
        "board_post",
        columns=["thread", "position", "language", "title", "source", "html", "author",
                 "created_at", "revision", "open_flags"],
        records=batch,
    )  # fmt: skip


# Databases -------------------------------------------------------------------------------------


def _database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@contextlib.contextmanager
def sqlite_database(posts: int, workdir: Path, kept: Path | None = None) -> Iterator[str]:
    """A seeded SQLite file: in ``workdir``, or ``kept`` (built once, then reused)."""
    path = kept or workdir / "board-bench.sqlite3"
    url = f"sqlite:///{path}"
    if kept is None or not path.exists():
        building = path.with_name(path.name + ".building")
        building.unlink(missing_ok=True)
        asyncio.run(migrate(f"sqlite:///{building}"))
        seed_sqlite(building, posts)
        building.rename(path)
    else:
        asyncio.run(migrate(url))  # a kept board gets the migrations added since
    yield url


@contextlib.contextmanager
def postgres_database(posts: int, admin_url: str, kept: str | None = None) -> Iterator[str]:
    """A seeded database: a new one dropped afterwards, or ``kept`` (built once, reused)."""
    name = kept or f"mupass_bench_{uuid.uuid4().hex[:10]}"
    url = _database(admin_url, name)
    seeded = "shobj_description(d.oid, 'pg_database') = 'seeded'"
    exists = asyncio.run(
        _admin(admin_url, f"SELECT 1 FROM pg_database d WHERE {seeded} AND datname = '{name}'")  # noqa: S608
    )
    try:
        if kept is None or exists != "SELECT 1":
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
            asyncio.run(migrate(url))
            asyncio.run(seed_postgres(url, posts))
            # Kept only once seeded: an interrupted build is built again next time.
            asyncio.run(_admin(admin_url, f"COMMENT ON DATABASE \"{name}\" IS 'seeded'"))
        else:
            asyncio.run(migrate(url))  # a kept board gets the migrations added since
        yield url
    finally:
        if kept is None:
            asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _admin(url: str, statement: str) -> str:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        return str(await connection.execute(statement))
    finally:
        await connection.close()


# The run ---------------------------------------------------------------------------------------

ENDPOINTS = (
    ("bare JSON endpoint", "/bench/hello"),
    ("thread page (25 of 100 posts)", "/api/v1/board/threads/{thread}/posts?limit=25"),
    ("10,000-post thread: first page", "/api/v1/board/threads/1/posts?limit=25"),
    ("10,000-post thread: last page", "/api/v1/board/threads/1/posts?limit=25&last=true"),
    ("search (1 post in 1,000)", f"/api/v1/board/search?q={SEARCH_WORD}&limit=20"),
    ("search (1 post in 50)", f"/api/v1/board/search?q={MIDDLE_WORD}&limit=20"),
    ("search (1 post in 4)", f"/api/v1/board/search?q={COMMON_WORD}&limit=20"),
    ("search (a word's beginning)", f"/api/v1/board/search?q={COMMON_BEGINNING}&limit=20"),
)
THREAD_PAGE = "thread page (25 of 100 posts)"
SEARCHES = (
    "search (1 post in 1,000)",
    "search (1 post in 50)",
    "search (1 post in 4)",
    "search (a word's beginning)",
)
BARE = "bare JSON endpoint"


def measure(
    url: str, posts: int, seconds: int, connections: int, log: Path, only: str | None = None
) -> dict[str, Figure]:
    figures: dict[str, Figure] = {}
    with server(url, log) as base:
        middle_thread = len(thread_sizes(posts)) // 2
        for label, path in ENDPOINTS:
            if only and label != BARE and only not in label:
                continue
            target = base + path.format(thread=middle_thread)
            response = httpx.get(target, timeout=30)
            response.raise_for_status()
            figures[label] = measured(base, target, seconds, connections)
    return figures


def board_parser(description: str, *, posts: int, databases: str) -> argparse.ArgumentParser:
    """The options of a run on a seeded board (``--posts``, ``--seconds``, ...)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--posts", type=int, default=posts)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--databases", default=databases)
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument(
        "--keep-sqlite", type=Path, help="keep the seeded SQLite file here and reuse it"
    )
    parser.add_argument(
        "--keep-postgres", help="keep the seeded database of this name and reuse it"
    )
    return parser


def board_options(parser: argparse.ArgumentParser) -> argparse.Namespace:
    options = parser.parse_args()
    if options.posts < BIG_THREAD_POSTS + THREAD_POSTS:
        parser.error(f"--posts must be at least {BIG_THREAD_POSTS + THREAD_POSTS}")
    for database in options.databases.split(","):
        if database not in ("sqlite", "postgres"):
            parser.error(f"unknown database {database!r}")
    return options


def seeded_database(database: str, options: argparse.Namespace, workdir: Path) -> Any:
    """The board of ``board_options`` on ``database`` (``sqlite`` or ``postgres``), as a
    context that gives its URL and removes it afterwards (unless it is kept)."""
    if database == "sqlite":
        return sqlite_database(options.posts, workdir, options.keep_sqlite)
    return postgres_database(options.posts, options.postgres_url, options.keep_postgres)


def main() -> None:
    parser = board_parser(__doc__.split("\n\n")[0], posts=1_000_000, databases="sqlite,postgres")
    parser.add_argument("--only", help="measure only the endpoints whose label contains this")
    options = board_options(parser)
    tool = "wrk -t1" if shutil.which("wrk") else "an asyncio client"
    print(
        f"{options.posts:,} posts; {tool}, {options.connections} connections, "
        f"{options.seconds} s per endpoint; one uvicorn worker on 127.0.0.1"
    )
    results: dict[str, dict[str, Figure]] = {}
    with tempfile.TemporaryDirectory(prefix="board-bench-") as workdir:
        for database in options.databases.split(","):
            started = time.monotonic()
            try:
                with seeded_database(database, options, Path(workdir)) as url:
                    seeded = time.monotonic() - started
                    print(f"{database}: seeded in {seeded:.0f} s", flush=True)
                    log = Path(workdir) / f"server-{database}.log"
                    results[database] = measure(
                        url, options.posts, options.seconds, options.connections, log, options.only
                    )
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"{database}: skipped ({exc})")
    report(results)


def report(results: dict[str, dict[str, Figure]]) -> None:
    databases = list(results)
    header = f"{'endpoint':<34}" + "".join(
        f"{db + ' req/s':>16}{'share':>7}{'p99':>10}{'CPU/req':>10}" for db in databases
    )
    print()
    print(header)
    print("-" * len(header))
    for label, _ in ENDPOINTS:
        if any(label not in results[database] for database in databases):
            continue
        line = f"{label:<34}"
        for database in databases:
            figure = results[database][label]
            bare = results[database][BARE].requests_per_second
            errors = f" ({figure.errors} errors)" if figure.errors else ""
            line += (
                f"{figure.requests_per_second:>16,.0f}{figure.requests_per_second / bare:>7.2f}"
                f"{figure.p99_ms:>7.1f} ms{figure.cpu_ms or 0:>7.2f} ms{errors}"
            )
        print(line)
    print()
    for database in databases:
        figures = results[database]
        bare = figures[BARE].requests_per_second
        if THREAD_PAGE in figures and "10,000-post thread: last page" in figures:
            share = figures[THREAD_PAGE].requests_per_second / bare
            depth = (
                figures["10,000-post thread: last page"].p99_ms
                / figures["10,000-post thread: first page"].p99_ms
            )
            print(
                f"{database}: thread page = {share:.2f} of the bare endpoint (target >= 0.4: "
                f"{'met' if share >= 0.4 else 'MISSED'}); last page p99 = {depth:.2f}x the first "
                f"page's (target <= 1.5: {'met' if depth <= 1.5 else 'MISSED'})"
            )
        for label in SEARCHES:
            if label not in figures:
                continue
            search = figures[label]
            met = search.requests_per_second / bare >= 0.15 and search.p99_ms < 150
            print(
                f"{database}: {label} = {search.requests_per_second / bare:.2f} of the bare "
                f"endpoint, p99 {search.p99_ms:.0f} ms (target >= 0.15 and < 150 ms: "
                f"{'met' if met else 'MISSED'})"
            )


if __name__ == "__main__":
    main()
