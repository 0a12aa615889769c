"""A browser for the page tests: the session's app, a cookie jar of its own per test."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from tests.pages.html import Element, form_fields, page_of


@pytest.fixture
def browser(client: TestClient[Litestar]) -> Iterator[TestClient[Litestar]]:
    """The session's client with no cookies (signed out, no language chosen) before and after."""
    client.cookies.clear()
    yield client
    client.cookies.clear()


def submit(client: TestClient[Litestar], page_url: str, form: Element | None = None, **fields: str):
    """Send a form of the page at ``page_url`` as a browser would: its hidden fields (the CSRF
    token) and values as they are, ``fields`` typed in. Without ``form``, the page's first
    form inside ``main``."""
    if form is None:
        form = page_of(client.get(page_url)).find("main").find("form")
    action = urljoin(page_url, form.get("action") or page_url)
    return client.post(action, data={**form_fields(form), **fields}, follow_redirects=False)
