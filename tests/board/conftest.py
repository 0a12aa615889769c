"""Factories for the board: categories, threads and posts made through the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import Account

BOARD = "/api/v1/board"


@pytest.fixture
def board_admin(make_account: Callable[..., Account]) -> Account:
    return make_account(platform_admin=True, display_name="Board Admin")


@pytest.fixture
def make_category(
    client: TestClient[Litestar], board_admin: Account
) -> Callable[..., dict[str, Any]]:
    """``make_category(read_access="signed_in", name={"de": "..."})`` as a platform admin."""

    def make(**fields: Any) -> dict[str, Any]:
        body = {
            "slug": f"cat-{uuid.uuid4().hex[:10]}",
            "name": {"en": "Green procurement", "de": "Grüne Beschaffung"},
            "original_locale": "en",
            **fields,
        }
        response = client.post(f"{BOARD}/categories", json=body, headers=board_admin.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def make_thread(client: TestClient[Litestar]) -> Callable[..., dict[str, Any]]:
    """``make_thread(author, category, title=..., body=..., language=...)``."""

    def make(author: Account, category: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {
            "category_id": category["id"],
            "title": "Tendering school meals",
            "language": "en",
            "body": "How do you write **criteria** for organic food?",
            **fields,
        }
        response = client.post(f"{BOARD}/threads", json=body, headers=author.headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


@pytest.fixture
def reply(client: TestClient[Litestar]) -> Callable[..., dict[str, Any]]:
    """``reply(author, thread, body, language="en", reply_to=None)``: the new post's JSON."""

    def make(
        author: Account, thread: dict[str, Any], body: str, language: str = "en", **fields: Any
    ) -> dict[str, Any]:
        response = client.post(
            f"{BOARD}/threads/{thread['id']}/posts",
            json={"body": body, "language": language, **fields},
            headers=author.headers,
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    return make


def grant_forum_role(client: TestClient[Litestar], forum: Any, account: Account, role: str) -> None:
    """Give ``account`` a role (``organizer``, ``moderator``...) in ``forum``, as its admin."""
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": account.id, "role": role},
        headers=forum.admin.headers,
    )
    assert response.status_code == 201, response.text


def outbox(client: TestClient[Litestar], email: str) -> list[dict[str, Any]]:
    """The mails queued for ``email``, oldest first."""
    from mupass_forum.mail.tables import OutboxMail

    async def read() -> list[dict[str, Any]]:
        return list(
            await OutboxMail.select()
            .where(OutboxMail.recipient == email)
            .order_by(OutboxMail.id)
            .run()
        )

    return list(client.blocking_portal.call(read))


def run_sql(client: TestClient[Litestar], sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL with ``{}`` placeholders, for arranging what the API cannot (old accounts)."""
    from mupass_forum.board.sql import query

    async def run() -> list[dict[str, Any]]:
        return await query(sql, *args)

    return list(client.blocking_portal.call(run))
