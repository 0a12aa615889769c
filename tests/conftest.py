"""The real app on a real database: a fresh SQLite file per run, or PostgreSQL.

With ``MUPASS_TEST_DATABASE_URL=postgresql://...`` the suite creates a database of its own next
to the one named (``mupass_test_<random>``), builds the schema by running the migrations, and
drops it at the end; with ``CI=true`` a PostgreSQL that cannot be reached fails the run.

Tests share one database per run and stay independent by making their own data through the
factories (unique emails, slugs), never by relying on what another test left behind.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mupass_forum import db
from mupass_forum.app import create_app, install
from mupass_forum.settings import Settings

pytest_plugins = ["tests.mail_fixtures"]

TEST_DATABASE_URL = os.environ.get("MUPASS_TEST_DATABASE_URL", "")
SECRET_KEY = "test-secret-key-for-signing-only-in-tests"


def on_postgres() -> bool:
    return TEST_DATABASE_URL.startswith(("postgresql://", "postgres://"))


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not on_postgres():
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'mupass-test.sqlite3'}"
        return
    name = f"mupass_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as exc:
        message = f"PostgreSQL at {TEST_DATABASE_URL} cannot be used: {exc}"
        if os.environ.get("MUPASS_TEST_POSTGRES_OPTIONAL") == "1":
            pytest.exit(f"{message}; the PostgreSQL run is skipped", returncode=0)
        pytest.fail(message, pytrace=False)
    try:
        yield _with_database(TEST_DATABASE_URL, name)
    finally:
        asyncio.run(_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def settings(database_url: str, data_dir: Path) -> Settings:
    """Settings of the test run; ``settings.replace(...)`` derives variants."""
    return Settings.from_env(
        environ={},
        database_url=database_url,
        data_dir=data_dir,
        secret_key=SECRET_KEY,
        log_level="WARNING",
        # Only the mail tests' clients relay, each to an SMTP server of its own.
        mail_relay="off",
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    """The schema, built by running the real migrations once per run."""

    async def run() -> None:
        async with db.connected(settings):
            await db.migrate()

    asyncio.run(run())
    return settings


@pytest.fixture(scope="session")
def app(migrated: Settings) -> Litestar:
    return create_app(migrated)


@pytest.fixture(scope="session")
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    with TestClient(app, base_url="http://testserver.local") as test_client:
        yield test_client


@pytest.fixture
def make_client(migrated: Settings) -> Iterator[object]:
    """A client for an app built with changed settings: ``make_client(openapi=False)``."""
    opened: list[TestClient[Litestar]] = []

    def make(app: Litestar | None = None, **changes: object) -> TestClient[Litestar]:
        test_client = TestClient(
            app or create_app(migrated.replace(**changes)), base_url="http://testserver.local"
        )
        test_client.__enter__()
        opened.append(test_client)
        return test_client

    yield make
    for test_client in reversed(opened):
        test_client.__exit__(None, None, None)
    # The session's app goes on with the session's database and catalogs.
    install(migrated)
