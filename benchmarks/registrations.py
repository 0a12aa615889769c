"""Concurrent registrations against two server processes sharing one database.

Creates a fresh database (a temporary SQLite file, or a new PostgreSQL database next to the one
named by ``--database-url``, dropped afterwards), a forum open for registration with 200 seats
and 1,000 signed-in accounts (written directly, with session tokens), starts two
``mupass-forum serve`` processes on free loopback ports, fires 1,000 registrations at once split
across both, and prints confirmed, waitlisted, errors and latency percentiles. Fails unless
exactly the seats were confirmed. Bounded in time; touches nothing but what it creates.

    .venv/bin/python benchmarks/registrations.py [--database-url postgresql://...]
        [--people 1000] [--seats 200] [--timeout 300]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import msgspec
import uvloop
from cpu_per_request import backends as database_backends

from mupass_forum import db, db_migrations
from mupass_forum.accounts.services import new_token
from mupass_forum.accounts.tables import Organization, Session, User
from mupass_forum.forums.tables import Forum, ForumSeries
from mupass_forum.registrations.tables import Registration, RegistrationDesk
from mupass_forum.settings import Settings

SECRET_KEY = "benchmark-secret-key-" + uuid.uuid4().hex


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def prepare(settings: Settings, people: int, seats: int) -> tuple[str, list[str]]:
    """Schema, one forum open for registration and ``people`` accounts with bearer tokens."""
    async with db.connected(settings):
        await db_migrations.migrate()
        stamp = datetime.now(UTC)
        tokens: list[str] = []
        async with db.transaction():
            organization = await Organization.insert(
                Organization(name="Benchmark institute", kind="research_institute", country="DE")
            ).returning(Organization.id)
            series = await ForumSeries.insert(
                ForumSeries(slug="benchmark", name={"original": "en", "texts": {"en": "Bench"}})
            ).returning(ForumSeries.id)
            await Forum.insert(
                Forum(
                    slug="benchmark-forum",
                    series=series[0]["id"],
                    edition=2030,
                    kind="dialogue_forum",
                    status="registration_open",
                    title={"original": "en", "texts": {"en": "Benchmark forum"}},
                    timezone="Europe/Berlin",
                    starts_at=stamp + timedelta(days=90),
                    ends_at=stamp + timedelta(days=92),
                    capacity=seats,
                    lead_organization=organization[0]["id"],
                )
            )
            users = await User.insert(
                *(
                    User(
                        email=f"person-{index}@bench.example.org",
                        password_hash="!",  # noqa: S106 (signed in by token only)
                        display_name=f"Person {index}",
                        email_verified_at=stamp,
                    )
                    for index in range(people)
                )
            ).returning(User.id)
            sessions = []
            for row in users:
                token, hashed = new_token()
                tokens.append(token)
                sessions.append(
                    Session(
                        user=row["id"],
                        token_hash=hashed,
                        created_at=stamp,
                        expires_at=stamp + timedelta(days=1),
                        last_used_at=stamp,
                    )
                )
            await Session.insert(*sessions)
        return "benchmark-forum", tokens


async def outcome(settings: Settings) -> tuple[Counter[str], int]:
    async with db.connected(settings):
        rows = await Registration.select(Registration.status)
        desk = await RegistrationDesk.select(RegistrationDesk.seats_taken).first()
        return Counter(row["status"] for row in rows), int(desk["seats_taken"]) if desk else 0


def start_server(port: int, database_url: str, log: Path) -> subprocess.Popen[bytes]:
    environment = {
        **os.environ,
        "MUPASS_DATABASE_URL": database_url,
        "MUPASS_SECRET_KEY": SECRET_KEY,
        # Mail waits in the outbox; no SMTP server is involved.
        "MUPASS_MAIL_RELAY": "off",
        "MUPASS_LOG_LEVEL": "WARNING",
        "MUPASS_DEMO": "0",
    }
    command = Path(sys.executable).with_name("mupass-forum")
    with log.open("wb") as output:
        return subprocess.Popen(
            [str(command), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def wait_ready(ports: list[int], deadline: float) -> None:
    async with httpx.AsyncClient() as client:
        for port in ports:
            while True:
                try:
                    response = await client.get(f"http://127.0.0.1:{port}/health/ready")
                    if response.status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the server on port {port} did not become ready")
                await asyncio.sleep(0.2)


@dataclass
class Burst:
    """What a burst of requests got back, and when."""

    results: Counter[str] = field(default_factory=Counter)
    #: Seconds from the start of the burst to each answer.
    answered_at: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    #: Seconds from the start until the last request was written.
    last_sent: float = 0.0
    #: Seconds from the start until the first request was on its connection.
    first_written: float = float("inf")
    elapsed: float = 0.0


async def exchange(
    port: int, request: bytes, written: Callable[[], None] = lambda: None
) -> tuple[int, bytes]:
    """One request on a connection of its own (as 1,000 people would come); status and body.
    ``written`` is called once the request is handed to the connection.

    A bare socket, not an HTTP library: with 1,000 requests in flight the client must cost far
    less CPU than the servers it measures, or it measures itself.
    """
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        written()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        return status, await reader.readexactly(length)
    finally:
        writer.close()


def post_request(path: str, token: str, body: bytes, headers: dict[str, str]) -> bytes:
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def fire(
    ports: list[int], requests: list[bytes], judge: Callable[[int, bytes], str]
) -> Burst:
    """Every request at once, alternating between the servers; ``judge`` names each answer."""
    burst = Burst()
    start = asyncio.Event()
    began = 0.0

    async def one(index: int, request: bytes) -> None:
        await start.wait()
        sent = time.perf_counter()
        burst.last_sent = max(burst.last_sent, sent - began)

        def written() -> None:
            burst.first_written = min(burst.first_written, time.perf_counter() - began)

        try:
            status, body = await exchange(ports[index % len(ports)], request, written)
        except (OSError, asyncio.IncompleteReadError) as exc:
            burst.results[f"error: {type(exc).__name__}"] += 1
            return
        answered = time.perf_counter()
        burst.latencies.append(answered - sent)
        burst.answered_at.append(answered - began)
        burst.results[judge(status, body)] += 1

    tasks = [asyncio.create_task(one(index, request)) for index, request in enumerate(requests)]
    await asyncio.sleep(0)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    burst.elapsed = time.perf_counter() - began
    return burst


def registration_outcome(status: int, body: bytes) -> str:
    if status in (200, 201):
        return str(msgspec.json.decode(body)["status"]["value"])
    return f"error: HTTP {status}"


def bare_outcome(status: int, body: bytes) -> str:
    return "ok" if status == 200 else f"error: HTTP {status}"


BARE_REQUEST = b"GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"


def retry_outcome(status: int, body: bytes) -> str:
    return "same registration" if status == 200 else f"error: HTTP {status}"


def client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used (Linux), its children included (uvicorn's workers)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def report(title: str, burst: Burst) -> None:
    count = sum(burst.results.values())
    errors = sum(n for key, n in burst.results.items() if key.startswith("error"))
    print(
        f"{title}: {count} at once, answered in {burst.elapsed:.2f} s "
        f"({count / burst.elapsed:.0f}/s), errors {errors}"
    )
    for key, n in sorted(burst.results.items()):
        print(f"  {key}: {n}")
    if not burst.latencies:
        return
    half = burst.elapsed / 2
    answered_early = sum(1 for at in burst.answered_at if at <= half)
    tenths = Counter(min(9, int(at / burst.elapsed * 10)) for at in burst.answered_at)
    print(
        "  latency ms: "
        f"p50 {percentile(burst.latencies, 0.50) * 1000:.0f}  "
        f"p90 {percentile(burst.latencies, 0.90) * 1000:.0f}  "
        f"p99 {percentile(burst.latencies, 0.99) * 1000:.0f}  "
        f"max {max(burst.latencies) * 1000:.0f}  "
        f"mean {statistics.fmean(burst.latencies) * 1000:.0f}"
    )
    print(
        f"  first answer after {min(burst.answered_at) * 1000:.0f} ms (first request written "
        f"after {burst.first_written * 1000:.0f} ms); last request sent after "
        f"{burst.last_sent * 1000:.0f} ms; {answered_early / count:.0%} answered in the "
        f"burst's first half; answers per tenth: {[tenths[i] for i in range(10)]}"
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def postgres_admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="postgresql://... (default: SQLite)")
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seats", type=int, default=200)
    parser.add_argument("--retries", type=int, default=50, help="answers lost and asked again")
    parser.add_argument("--timeout", type=float, default=300, help="give up after this long")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="mupass-bench-") as folder:
        workdir = Path(folder)
        created_database = ""
        if options.database_url:
            created_database = f"mupass_bench_{uuid.uuid4().hex[:10]}"
            asyncio.run(
                postgres_admin(options.database_url, f'CREATE DATABASE "{created_database}"')
            )
            parts = urlsplit(options.database_url)
            database_url = urlunsplit(
                (parts.scheme, parts.netloc, f"/{created_database}", parts.query, parts.fragment)
            )
            engine = "PostgreSQL"
        else:
            database_url = f"sqlite:///{workdir / 'bench.sqlite3'}"
            engine = "SQLite"
        settings = Settings.from_env(
            environ={}, database_url=database_url, data_dir=workdir, secret_key=SECRET_KEY
        )
        servers: list[subprocess.Popen[bytes]] = []
        try:
            began = time.monotonic()
            slug, tokens = asyncio.run(prepare(settings, options.people, options.seats))
            print(
                f"{engine}: {options.people} accounts and a forum of {options.seats} seats "
                f"ready in {time.monotonic() - began:.1f} s"
            )
            ports = [free_port(), free_port()]
            servers = [
                start_server(port, database_url, workdir / f"server-{port}.log") for port in ports
            ]
            deadline = time.monotonic() + options.timeout
            asyncio.run(wait_ready(ports, deadline))
            bare_requests = [BARE_REQUEST] * options.people
            path = f"/api/v1/forums/{slug}/registrations"
            keys = [uuid.uuid4().hex for _ in tokens]
            registrations = [
                post_request(path, token, b"{}", {"Idempotency-Key": key})
                for token, key in zip(tokens, keys, strict=True)
            ]

            async def run() -> tuple[Burst, Burst, Burst, float]:
                nonlocal database_cpu
                bare = await fire(ports, bare_requests, bare_outcome)
                backends = await database_backends(database_url)
                cpu_before = client_cpu()
                database_before = sum(process_cpu(pid) for pid in backends)
                burst = await fire(ports, registrations, registration_outcome)
                cpu = client_cpu() - cpu_before
                database_cpu = sum(process_cpu(pid) for pid in backends) - database_before
                # The first people again, as if their answers had been lost: the same key
                # gives back the registration made, and nothing new is decided.
                retried = await fire(ports, registrations[: options.retries], retry_outcome)
                return bare, burst, retried, cpu

            database_cpu = 0.0
            server_cpu_before = sum(process_cpu(server.pid) for server in servers)
            # uvloop, as the servers run: the default loop spent most of the burst's first
            # 100 ms opening the 1,000 connections before the first request was written.
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                bare, burst, retried, cpu = runner.run(
                    asyncio.wait_for(run(), timeout=deadline - time.monotonic())
                )
            server_cpu = sum(process_cpu(server.pid) for server in servers) - server_cpu_before
            statuses, seats_taken = asyncio.run(outcome(settings))
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
            if created_database:
                asyncio.run(
                    postgres_admin(
                        options.database_url,
                        f'DROP DATABASE IF EXISTS "{created_database}" WITH (FORCE)',
                    )
                )

    print(f"servers: 2 processes on ports {ports[0]} and {ports[1]}, one database")
    report("bare endpoint (GET /health/live)", bare)
    report("registrations", burst)
    print(
        f"client CPU during the registration burst: {cpu:.2f} s "
        f"(both servers, all three bursts: {server_cpu:.2f} s)"
        + (f"; the database's backends during it: {database_cpu:.2f} s" if database_cpu else "")
    )
    report("retried with the same Idempotency-Key", retried)
    print(f"in the database: {dict(statuses)}, seats taken {seats_taken}")
    assert statuses["confirmed"] == options.seats, "the seats were not filled exactly"
    assert seats_taken == options.seats
    assert burst.results["confirmed"] == options.seats
    assert retried.results["same registration"] == options.retries, "a retry was not idempotent"
    return 0


if __name__ == "__main__":
    sys.exit(main())
