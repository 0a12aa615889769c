"""The thread page during a wave of sign-ins: throughput, p99 and the server's memory.

Builds a board as ``board.py`` does (SQLite, or PostgreSQL with ``--databases``) with accounts
that have real argon2id password hashes (the server's own parameters), starts the real service
under uvicorn (one worker), and loads the thread page (25 posts of a 100-post thread, the API's
JSON page as ``board.py`` measures it) with wrk three times for the same time: alone, while
``--parallel`` clients sign in (``POST /api/v1/auth/login`` with the right password, each client
again as soon as it is answered, each as its own account so that no failure counter is touched),
and alone again. It prints requests per second and p99 of the three runs and the ratio of the
second to the mean of the others (target: the page keeps at least half its throughput), the
sign-ins per second and their p99, and the server's peak resident memory during the wave
(target: under 200 MB per worker). The hashing settings (``MUPASS_PASSWORD_HASH_*``) are taken
from the environment, like the server's own.

    .venv/bin/python benchmarks/sign_ins.py [--posts 20000] [--seconds 10] [--connections 32]
        [--parallel 8] [--databases sqlite,postgres]
        [--postgres-url postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from board import (
    Figure,
    Served,
    board_options,
    board_parser,
    load,
    seeded_database,
    server,
    thread_sizes,
)

TARGET_SHARE = 0.5
TARGET_RSS_MB = 200
#: The accounts' password (of the benchmark's own throwaway database).
PASSWORD = "wave of sign-ins, correct horse 2026"  # noqa: S105
THREAD_PAGE = "/api/v1/board/threads/{thread}/posts?limit=25"
ACCOUNT_SQL = (
    "INSERT INTO account_user (email, password_hash, display_name, locale, timezone, "
    "email_verified_at, is_platform_admin, created_at, updated_at) VALUES "
    "({}, {}, {}, 'en', 'Europe/Berlin', {}, {}, {}, {})"
)


def emails(count: int) -> list[str]:
    return [f"signer{index}@example.org" for index in range(count)]


def password_hash() -> str:
    """The hash the server would store, with its settings from the environment."""
    from mupass_forum.accounts.passwords import Passwords
    from mupass_forum.settings import Settings

    settings = Settings.from_env(environ=dict(os.environ), mail_relay="off")
    return Passwords(settings.password_hash_memory_kib, settings.password_hash_time_cost).hash(
        PASSWORD
    )


def add_accounts(database_url: str, count: int) -> None:
    hashed = password_hash()
    stamp = "2026-01-01 00:00:00+00:00"
    if database_url.startswith("sqlite:///"):
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        with connection:
            connection.executemany(
                ACCOUNT_SQL.replace("{}", "?"),
                [
                    (email, hashed, f"Signer {n}", stamp, 0, stamp, stamp)
                    for n, email in enumerate(emails(count))
                ],
            )
        connection.close()
        return

    async def insert() -> None:
        from datetime import UTC, datetime

        moment = datetime(2026, 1, 1, tzinfo=UTC)
        marks = iter(range(1, 8))
        statement = ACCOUNT_SQL.replace("{}", "${}").format(*marks)
        connection = await asyncpg.connect(database_url)
        try:
            await connection.executemany(
                statement,
                [
                    (email, hashed, f"Signer {n}", moment, False, moment, moment)
                    for n, email in enumerate(emails(count))
                ],
            )
        finally:
            await connection.close()

    asyncio.run(insert())


@dataclass
class Wave:
    """Clients signing in one after the other, each on its own account, until stopped."""

    base: str
    accounts: list[str]
    stop: threading.Event = field(default_factory=threading.Event)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    threads: list[threading.Thread] = field(default_factory=list)

    def _client(self, email: str) -> None:
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self.stop.is_set():
                started = time.perf_counter()
                response = client.post(
                    "/api/v1/auth/login", json={"email": email, "password": PASSWORD}
                )
                self.latencies.append(time.perf_counter() - started)
                self.errors += response.status_code != 200

    def __enter__(self) -> Wave:
        self.threads = [threading.Thread(target=self._client, args=(e,)) for e in self.accounts]
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()


def rss_mb(process_id: int, field_name: str = "VmRSS") -> float:
    for line in Path(f"/proc/{process_id}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextlib.contextmanager
def peak_rss(process_id: int) -> Iterator[list[float]]:
    """The highest resident memory of ``process_id`` seen every 20 ms while inside."""
    peak = [rss_mb(process_id)]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], rss_mb(process_id))

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


@dataclass
class Result:
    alone: Figure
    during: Figure
    #: Alone again after the wave: the machine's load drifts, the ratio is to the mean of both.
    after: Figure
    sign_ins_per_second: float
    sign_in_p99_ms: float
    sign_in_errors: int
    rss_before_mb: float
    rss_peak_mb: float


def measure(base: Served, target: str, seconds: int, connections: int, parallel: int) -> Result:
    load(target, 2, connections)  # warm-up
    alone = load(target, seconds, connections)
    rss_before = rss_mb(base.process.pid)
    with peak_rss(base.process.pid) as peak, Wave(base, emails(parallel)) as wave:
        time.sleep(1)  # the wave under way before the page is measured again
        during = load(target, seconds, connections)
        signed = len(wave.latencies)
        elapsed = seconds + 1
    after = load(target, seconds, connections)
    latencies = sorted(wave.latencies)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000 if latencies else float("nan")
    return Result(alone, during, after, signed / elapsed, p99, wave.errors, rss_before, peak[0])


def main() -> None:
    parser = board_parser(__doc__.split("\n\n")[0], posts=20_000, databases="sqlite")
    parser.add_argument("--parallel", type=int, default=8)
    options = board_options(parser)
    tool = "wrk -t1" if shutil.which("wrk") else "an asyncio client (no wrk found)"
    print(
        f"{options.posts:,} posts; thread page with {tool}, {options.connections} connections, "
        f"{options.seconds} s alone, then {options.seconds} s during {options.parallel} parallel "
        "sign-ins; one uvicorn worker on 127.0.0.1"
    )
    results: dict[str, Result] = {}
    with tempfile.TemporaryDirectory(prefix="sign-ins-bench-") as workdir:
        for database in options.databases.split(","):
            try:
                with seeded_database(database, options, Path(workdir)) as url:
                    add_accounts(url, options.parallel)
                    log = Path(workdir) / f"server-{database}.log"
                    with server(url, log) as base:
                        thread = len(thread_sizes(options.posts)) // 2
                        target = base + THREAD_PAGE.format(thread=thread)
                        httpx.get(target, timeout=30).raise_for_status()
                        results[database] = measure(
                            base, target, options.seconds, options.connections, options.parallel
                        )
            except (OSError, asyncpg.PostgresError) as exc:
                print(f"{database}: skipped ({exc})")
    for database, result in results.items():
        alone = (result.alone.requests_per_second + result.after.requests_per_second) / 2
        share = result.during.requests_per_second / alone
        print()
        print(f"{database:<20}{'req/s':>12}{'p99':>11}")
        runs = (
            ("thread page alone", result.alone),
            ("during sign-ins", result.during),
            ("alone again", result.after),
        )
        for label, figure in runs:
            errors = f" ({figure.errors} errors)" if figure.errors else ""
            rate = figure.requests_per_second
            print(f"{label:<20}{rate:>12,.0f}{figure.p99_ms:>8.1f} ms{errors}")
        failed = f", {result.sign_in_errors} not 200" if result.sign_in_errors else ""
        print(
            f"sign-ins: {result.sign_ins_per_second:.1f}/s, p99 {result.sign_in_p99_ms:.0f} ms"
            f"{failed}"
        )
        print(
            f"thread page during the wave = {share:.2f} of its throughput alone (the mean of "
            f"before and after; target >= "
            f"{TARGET_SHARE}: {'met' if share >= TARGET_SHARE else 'MISSED'})"
        )
        print(
            f"server's resident memory: {result.rss_before_mb:.0f} MB before, peak "
            f"{result.rss_peak_mb:.0f} MB during the wave (target < {TARGET_RSS_MB} MB: "
            f"{'met' if result.rss_peak_mb < TARGET_RSS_MB else 'MISSED'})"
        )


if __name__ == "__main__":
    main()
