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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from mupass_forum import db
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
        await db.migrate()
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


async def fire(
    ports: list[int], slug: str, tokens: list[str]
) -> tuple[Counter[str], list[float], float]:
    """One registration per token, all at once, alternating between the servers."""
    limits = httpx.Limits(max_connections=len(tokens), max_keepalive_connections=len(tokens))
    clients = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120)
        for port in ports
    ]
    results: Counter[str] = Counter()
    latencies: list[float] = []
    start = asyncio.Event()

    async def one(index: int, token: str) -> None:
        client = clients[index % len(clients)]
        await start.wait()
        began = time.perf_counter()
        try:
            response = await client.post(
                f"/api/v1/forums/{slug}/registrations",
                json={},
                headers={"Authorization": f"Bearer {token}"},
            )
        except httpx.HTTPError as exc:
            results[f"error: {type(exc).__name__}"] += 1
            return
        latencies.append(time.perf_counter() - began)
        if response.status_code == 201:
            results[response.json()["status"]["value"]] += 1
        else:
            results[f"error: HTTP {response.status_code}"] += 1

    tasks = [asyncio.create_task(one(index, token)) for index, token in enumerate(tokens)]
    await asyncio.sleep(0)
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    for client in clients:
        await client.aclose()
    return results, latencies, elapsed


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
            results, latencies, elapsed = asyncio.run(
                asyncio.wait_for(fire(ports, slug, tokens), timeout=deadline - time.monotonic())
            )
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

    errors = sum(count for key, count in results.items() if key.startswith("error"))
    print(f"servers: 2 processes on ports {ports[0]} and {ports[1]}, one database")
    print(
        f"attempts: {options.people} at once in {elapsed:.2f} s "
        f"({options.people / elapsed:.0f} registrations/s)"
    )
    print(
        f"confirmed: {results['confirmed']}  waitlisted: {results['waitlisted']}  errors: {errors}"
    )
    for key, count in sorted(results.items()):
        if key.startswith("error"):
            print(f"  {key}: {count}")
    if latencies:
        print(
            "latency ms: "
            f"p50 {percentile(latencies, 0.50) * 1000:.0f}  "
            f"p90 {percentile(latencies, 0.90) * 1000:.0f}  "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f}  "
            f"max {max(latencies) * 1000:.0f}  mean {statistics.fmean(latencies) * 1000:.0f}"
        )
    print(f"in the database: {dict(statuses)}, seats taken {seats_taken}")
    assert statuses["confirmed"] == options.seats, "the seats were not filled exactly"
    assert seats_taken == options.seats
    assert results["confirmed"] == options.seats
    return 0


if __name__ == "__main__":
    sys.exit(main())
