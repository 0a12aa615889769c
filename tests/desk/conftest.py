"""The desk's tests: a browser signed in by its session cookie, forums whose door is open."""

from __future__ import annotations

from mupass_forum.accounts.authentication import SESSION_COOKIE
from tests.pages.conftest import browser  # noqa: F401 (the pages' browser)
from tests.registrations.conftest import days_from_today, make_person  # noqa: F401


def sign_in(client, account) -> None:
    """The browser holds the account's session cookie, as after signing in on a page."""
    client.cookies.set(SESSION_COOKIE, account.token or "")


def grant(client, forum, account, role: str) -> None:
    """Give ``account`` a role for ``forum`` (organizer, moderator, photographer)."""
    response = client.post(
        f"/api/v1/forums/{forum.slug}/roles",
        json={"user_id": account.id, "role": role},
        headers=forum.admin.headers,
    )
    assert response.status_code in (200, 201), response.text
