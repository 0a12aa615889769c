"""The real app on a real database: a fresh SQLite file per run, or PostgreSQL.

With ``MUPASS_TEST_DATABASE_URL=postgresql://...`` the suite creates a database of its own next
to the one named (``mupass_test_<random>``), builds the schema by running the migrations, and
drops it at the end; with ``CI=true`` a PostgreSQL that cannot be reached fails the run.

Tests share one database per run and stay independent by making their own data through the
factories (unique emails, slugs), never by relying on what another test left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import redis
from litestar import Litestar
from litestar.testing import TestClient

from mupass_forum import db, db_migrations
from mupass_forum.app import build_context, create_app
from mupass_forum.app_context import AppContext, bound
from mupass_forum.settings import Settings

pytest_plugins = ["tests.mail_fixtures", "tests.query_count"]

TEST_DATABASE_URL = os.environ.get("MUPASS_TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("MUPASS_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SECRET_KEY = "test-secret-key-for-signing-only-in-tests"


def pytest_configure(config: pytest.Config) -> None:
    """Collect garbage less often than Python's default (every 700 allocations): the suite builds
    about a hundred apps of several hundred thousand short-lived objects each, and the young
    generation's collections cost a tenth of its CPU time. Cycles are still collected."""
    gc.set_threshold(100_000, 50, 100)


def free_port() -> int:
    """A loopback TCP port nothing listens on (at the moment of asking)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def referenced_urls(page: str) -> list[str]:
    """Every address a page's markup loads or links (``src``, ``href``)."""
    return re.findall(r"""\b(?:src|href)\s*=\s*["']([^"']*)["']""", page)


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


@contextlib.contextmanager
def database_of_its_own(prefix: str, sqlite_file: Path) -> Iterator[str]:
    """The address of an empty database for a test or a module: on PostgreSQL one created next
    to the suite's (named ``<prefix>_<random>``, dropped afterwards), else ``sqlite_file``."""
    if not on_postgres():
        yield f"sqlite:///{sqlite_file}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(TEST_DATABASE_URL, f'CREATE DATABASE "{name}"'))
    try:
        yield _with_database(TEST_DATABASE_URL, name)
    finally:
        asyncio.run(_admin(TEST_DATABASE_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
        # A hundred apps are built; each would open every connection and evaluate every type.
        warm_up=False,
        # Only the mail tests' clients relay, each to an SMTP server of its own.
        mail_relay="off",
        # Cheap hashes keep the suite fast; the parameters themselves are tested separately.
        password_hash_memory_kib=1024,
        password_hash_time_cost=1,
        # The whole run sends interest forms from one client address; the bound is tested
        # on clients of its own.
        interest_per_client_per_hour=100_000,
    )


@pytest.fixture(scope="session")
def migrated(settings: Settings) -> Settings:
    """The schema, built by running the real migrations once per run."""

    async def run() -> None:
        async with db.connected(settings):
            await db_migrations.migrate()

    asyncio.run(run())
    return settings


@pytest.fixture(scope="session", autouse=True)
def app_context(settings: Settings) -> Iterator[AppContext]:
    """The context of the session's app, bound for what tests run outside its requests
    (factories, direct service calls)."""
    with bound(build_context(settings)) as context:
        yield context


@pytest.fixture(scope="session")
def app(migrated: Settings, app_context: AppContext) -> Litestar:
    return create_app(context=app_context)


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


def needs_service(what: str, problem: Exception) -> None:
    """Skip a test whose server (Redis, PostgreSQL) is missing; under ``CI=true`` fail it."""
    message = f"{what} cannot be used: {problem}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of the test's own on the Redis at ``MUPASS_TEST_REDIS_URL``, emptied after."""
    prefix = f"mupass-test-{uuid.uuid4().hex}:"
    connection = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        connection.ping()
    except redis.ConnectionError as exc:
        connection.close()
        needs_service(f"Redis at {TEST_REDIS_URL}", exc)
    yield prefix
    for key in connection.scan_iter(f"{prefix}*"):
        connection.delete(key)
    connection.close()


# Accounts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """An account made by ``make_account``, signed in unless asked otherwise."""

    id: int
    email: str
    password: str
    token: str | None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@pytest.fixture
def make_account(client: TestClient[Litestar], migrated: Settings) -> Callable[..., Account]:
    """Make a verified account: ``make_account(platform_admin=True, organizations={7: "admin"},
    translator_locales=["fr"], locale="de", sign_in=True)``."""
    from mupass_forum.accounts.rate_limits import MemoryCounters
    from mupass_forum.accounts.services import AccountService
    from mupass_forum.accounts.tables import Membership, TranslatorRole

    service = AccountService(migrated, MemoryCounters())

    async def create(**fields: Any) -> int:
        memberships = fields.pop("organizations")
        locales = fields.pop("translator_locales")
        user_id = await service.create_account(**fields, verified=True)
        for organization_id, role in memberships.items():
            await Membership.insert(
                Membership(organization=organization_id, user=user_id, role=role)
            )
        for locale in locales:
            await TranslatorRole.insert(TranslatorRole(user=user_id, locale=locale))
        return user_id

    def make(
        *,
        email: str | None = None,
        password: str | None = None,
        display_name: str = "Test Person",
        locale: str = "en",
        timezone: str = "Europe/Berlin",
        platform_admin: bool = False,
        organizations: Mapping[int, str] | None = None,
        translator_locales: Sequence[str] = (),
        sign_in: bool = True,
    ) -> Account:
        email = email or f"person-{uuid.uuid4().hex[:12]}@example.org"
        # Sixteen random hex digits are far beyond the strength rule, and zxcvbn's estimate,
        # which every new account pays for, grows quickly with the length of what it reads.
        password = password or f"pass-{uuid.uuid4().hex[:16]}"
        user_id = client.blocking_portal.call(
            functools.partial(
                create,
                email=email,
                password=password,
                display_name=display_name,
                locale=locale,
                timezone=timezone,
                is_platform_admin=platform_admin,
                organizations=dict(organizations or {}),
                translator_locales=list(translator_locales),
            )
        )
        token = None
        if sign_in:
            response = client.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )
            assert response.status_code == 200, response.text
            token = response.json()["token"]
        return Account(user_id, email, password, token)

    return make


@pytest.fixture
def make_organization(client: TestClient[Litestar], make_account: Callable[..., Account]):
    """Make an organization through the API (as a platform admin); returns its JSON."""
    admin = make_account(platform_admin=True)

    def make(**fields: Any) -> dict[str, Any]:
        body = {
            "name": f"Institute {uuid.uuid4().hex[:10]}",
            "kind": "research_institute",
            "country": "DE",
            **fields,
        }
        response = client.post("/api/v1/organizations", json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


# Forums ----------------------------------------------------------------------------------------

#: The order a forum goes through its lifecycle; ``make_forum(status=...)`` walks it.
FORUM_LIFECYCLE = ("draft", "announced", "registration_open", "registration_closed", "held")


@dataclass(frozen=True)
class MadeForum:
    """A forum made by ``make_forum``, with the admin of its lead organization."""

    slug: str
    id: int
    lead_organization_id: int
    admin: Account
    body: dict[str, Any]


@pytest.fixture
def make_forum(
    client: TestClient[Litestar],
    make_account: Callable[..., Account],
    make_organization: Callable[..., dict[str, Any]],
) -> Callable[..., MadeForum]:
    """Make a forum through the API: ``make_forum(status="registration_open", capacity=30,
    starts_at="2030-10-28T09:00:00", lead_organization_id=..., admin=...)``.

    Without ``lead_organization_id`` a new organization leads it, administered by ``admin`` (a
    new account unless given). Forums start as drafts; ``status`` moves them on (``held`` needs
    a forum that has begun).
    """
    series_slug = f"series-{uuid.uuid4().hex[:10]}"
    series_made: list[str] = []

    def make(*, status: str = "draft", admin: Account | None = None, **fields: Any) -> MadeForum:
        lead_id = fields.pop("lead_organization_id", None)
        if lead_id is None:
            lead_id = make_organization()["id"]
        admin = admin or make_account(organizations={lead_id: "admin"})
        if not series_made:
            response = client.post(
                "/api/v1/forum-series",
                json={"slug": series_slug, "name": {"en": "Test series", "de": "Testreihe"}},
                headers=admin.headers,
            )
            assert response.status_code == 201, response.text
            series_made.append(series_slug)
        body = {
            "slug": f"forum-{uuid.uuid4().hex[:12]}",
            "series": series_slug,
            "edition": 2030,
            "kind": "dialogue_forum",
            "title": {"en": "Test forum", "de": "Testforum"},
            "timezone": "Europe/Berlin",
            "starts_at": "2030-10-28T09:00:00",
            "ends_at": "2030-10-30T17:00:00",
            "lead_organization_id": lead_id,
            "venue": {"name": "Test venue", "city": "Bonn", "country": "DE"},
            **fields,
        }
        response = client.post("/api/v1/forums", json=body, headers=admin.headers)
        assert response.status_code == 201, response.text
        made = response.json()
        for step in FORUM_LIFECYCLE[1 : FORUM_LIFECYCLE.index(status) + 1]:
            response = client.post(
                f"/api/v1/forums/{made['slug']}/status",
                json={"status": step},
                headers=admin.headers,
            )
            assert response.status_code == 200, response.text
            made = response.json()
        return MadeForum(made["slug"], made["id"], lead_id, admin, made)

    return make
