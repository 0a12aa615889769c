"""Factories for profiles: written through the API, as their owners write them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.conftest import Account


def unique_word() -> str:
    """A made-up surname no other test uses, so searches find only this test's people."""
    return "Zq" + uuid.uuid4().hex[:10]


@pytest.fixture
def make_profile(
    client: TestClient[Litestar], make_account: Callable[..., Account]
) -> Callable[..., Account]:
    """Make an account with a profile: ``make_profile(visibility="signed_in", country="GH")``.

    Pass ``account=`` to give an existing account its profile; other fields go into the PUT.
    """

    def make(account: Account | None = None, **fields: Any) -> Account:
        owner = account or make_account()
        body = {"given_name": "Ama", "family_name": unique_word(), **fields}
        response = client.put("/api/v1/me/profile", json=body, headers=owner.headers)
        assert response.status_code == 200, response.text
        return owner

    return make
