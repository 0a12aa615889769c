"""Factories for the desk's tests: people in each role a forum knows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.board.conftest import grant_forum_role
from tests.conftest import Account, MadeForum

# Fixtures of other folders, used here too.
from tests.pages.conftest import browser  # noqa: F401
from tests.pages.test_forum_pages import sign_in  # noqa: F401
from tests.registrations.conftest import days_from_today, make_person  # noqa: F401


@pytest.fixture
def make_role(
    client: TestClient[Litestar],
    make_account: Callable[..., Account],
    make_organization: Callable[..., dict[str, Any]],
) -> Callable[[MadeForum, str], Account | None]:
    """A person in ``role`` towards ``forum``: ``anonymous`` (None), ``participant``,
    ``other_admin`` (admin of an institute that has nothing to do with it), ``moderator``,
    ``photographer``, ``organizer``, ``lead_admin``, ``platform_admin``."""

    def make(forum: MadeForum, role: str) -> Account | None:
        if role == "anonymous":
            return None
        if role == "lead_admin":
            return forum.admin
        if role == "platform_admin":
            return make_account(platform_admin=True)
        if role == "other_admin":
            return make_account(organizations={make_organization()["id"]: "admin"})
        account = make_account()
        if role != "participant":
            grant_forum_role(client, forum, account, role)
        return account

    return make


def add_interest(client: TestClient[Litestar], forum: MadeForum, **fields: Any) -> str:
    """Interest sent through the API and confirmed (as the mailed link would); returns the
    address. ``confirmed=False`` leaves it unconfirmed."""
    from mupass_forum.registrations.tables import Interest

    confirmed = fields.pop("confirmed", True)
    email = f"interest-{uuid.uuid4().hex[:12]}@example.org"
    body = {
        "given_name": "Ana",
        "family_name": "Pérez",
        "email": email,
        "locale": "es",
        "country": "BF",
        **fields,
    }
    response = client.post(f"/api/v1/forums/{forum.slug}/interest", json=body)
    assert response.status_code == 202, response.text

    async def confirm() -> None:
        await Interest.update({Interest.confirmed_at: datetime.now(UTC)}).where(
            Interest.email == email
        )

    if confirmed:
        client.blocking_portal.call(confirm)
    return email


def grant(client, forum, account, role: str) -> None:
    """Give ``account`` a role for ``forum`` (organizer, moderator, photographer)."""
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": account.id, "role": role},
        headers=forum.admin.headers,
    )
    assert response.status_code in (200, 201), response.text
