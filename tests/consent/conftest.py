"""Helpers for the consent tests: decisions are written through the API, as people make them."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import Account

ALL = [{"decision": "granted"}]
NONE = [{"decision": "refused"}]


def decide(
    client: TestClient[Litestar],
    account: Account,
    slug: str,
    choices: list[dict[str, Any]],
    **extra: Any,
) -> dict[str, Any]:
    """Record ``choices`` as the signed-in ``account``; returns the new state."""
    response = client.post(
        f"/api/v1/forums/{slug}/consent",
        json={"choices": choices, **extra},
        headers=account.headers,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def states(state: dict[str, Any]) -> dict[tuple[str, str], str]:
    """``{(medium, purpose): state}`` of a consent state."""
    return {
        (pair["medium"]["value"], pair["purpose"]["value"]): pair["state"]["value"]
        for pair in state["pairs"]
    }


def publish(
    client: TestClient[Litestar], account: Account, slug: str, *, material: bool, word: str = ""
) -> dict[str, Any]:
    """Publish a new notice version written in all four languages."""
    response = client.post(
        f"/api/v1/forums/{slug}/consent-notices",
        json={
            "text": {
                "en": f"Photos are taken. {word}",
                "de": f"Es wird fotografiert. {word}",
                "fr": f"Des photos sont prises. {word}",
                "es": f"Se toman fotos. {word}",
            },
            "material": material,
        },
        headers=account.headers,
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def mails_to(client: TestClient[Litestar], email: str) -> list[dict[str, Any]]:
    """The outbox mails queued for ``email``, oldest first."""
    from mupass_forum.mail.tables import OutboxMail

    return client.blocking_portal.call(
        lambda: (
            OutboxMail.select(
                OutboxMail.template, OutboxMail.subject, OutboxMail.text, OutboxMail.html
            )
            .where(OutboxMail.recipient == email)
            .order_by(OutboxMail.id)
        )
    )
