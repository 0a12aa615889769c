"""Factories for the registration tests: forums open for registration, profiles, registering."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mupass_forum import db, db_migrations
from mupass_forum.accounts.rate_limits import MemoryCounters
from mupass_forum.accounts.services import AccountService
from mupass_forum.demo import load_demo_data
from tests.conftest import Account, MadeForum


def days_from_today(days: int, hour: int = 9) -> str:
    """A local time of the test forums' time zone (Europe/Berlin), ``days`` from today, as forums
    are written: a forum that begins tomorrow can check people in today."""
    day = datetime.now(ZoneInfo("Europe/Berlin")).date() + timedelta(days=days)
    return f"{day.isoformat()}T{hour:02d}:00:00"


def register(
    client: TestClient[Litestar], forum: MadeForum | str, account: Account, **fields: Any
) -> dict[str, Any]:
    """Register ``account`` for ``forum`` through the API; returns the registration."""
    slug = forum if isinstance(forum, str) else forum.slug
    response = client.post(
        f"/api/v1/forums/{slug}/registrations", json=fields, headers=account.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def mails_to(smtp_server, who: Account | str, count: int):
    """Exactly ``count`` mails to ``who`` (an account or an address), as the outbox has them."""
    return smtp_server.exactly(who if isinstance(who, str) else who.email, count)


def decide(
    client: TestClient[Litestar], forum: MadeForum, registration_id: int, action: str, **extra: Any
) -> dict[str, Any]:
    response = client.post(
        f"/api/v1/forums/{forum.slug}/registrations/{registration_id}/decision",
        json={"action": action, **extra},
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def set_registration_settings(
    client: TestClient[Litestar], forum: MadeForum, **fields: Any
) -> dict[str, Any]:
    response = client.put(
        f"/api/v1/forums/{forum.slug}/registration-settings",
        json=fields,
        headers=forum.admin.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


@pytest.fixture
def make_person(
    client: TestClient[Litestar], make_account: Callable[..., Account]
) -> Callable[..., Account]:
    """An account with a profile: ``make_person(country="GH", locale="fr", visibility=...)``."""

    def make(*, locale: str = "en", display_name: str = "Test Person", **profile: Any) -> Account:
        account = make_account(locale=locale, display_name=display_name)
        body = {"given_name": "Ama", "family_name": "Zq" + uuid.uuid4().hex[:10], **profile}
        response = client.put("/api/v1/me/profile", json=body, headers=account.headers)
        assert response.status_code == 200, response.text
        return account

    return make


def add_item(
    client: TestClient[Litestar],
    forum: MadeForum,
    *,
    kind: str = "workshop",
    starts_at: str = "2030-10-29T14:00:00",
    ends_at: str = "2030-10-29T15:30:00",
    **fields: Any,
) -> dict[str, Any]:
    """Add a programme item (a workshop unless told) through the API; returns it."""
    body = {
        "kind": kind,
        "title": {"en": f"Workshop {uuid.uuid4().hex[:6]}", "de": "Werkstatt"},
        "starts_at": starts_at,
        "ends_at": ends_at,
        **fields,
    }
    response = client.post(
        f"/api/v1/forums/{forum.slug}/programme", json=body, headers=forum.admin.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def demo_client(make_client, migrated, tmp_path) -> tuple[TestClient[Litestar], dict, list, list]:
    """A client on a fresh file with the demo data loaded twice and a platform admin.

    Returns the client, the admin's headers, and what the first and second loading added.
    """
    settings = migrated.replace(database_url=f"sqlite:///{tmp_path / 'demo.sqlite3'}")

    async def prepare() -> tuple[list[str], list[str]]:
        async with db.connected(settings):
            await db_migrations.migrate()
            first, second = await load_demo_data(), await load_demo_data()
            await AccountService(settings, MemoryCounters()).create_account(
                email="admin@demo.example.org",
                password="a demo admin passphrase",
                display_name="Admin",
                locale="en",
                timezone="Europe/Berlin",
                verified=True,
                is_platform_admin=True,
            )
            return first, second

    first, second = asyncio.run(prepare())
    client = make_client(database_url=settings.database_url)
    token = client.post(
        "/api/v1/auth/login",
        json={"email": "admin@demo.example.org", "password": "a demo admin passphrase"},
    ).json()["token"]
    return client, {"Authorization": f"Bearer {token}"}, first, second
