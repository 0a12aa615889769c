"""Reading the translators' queue to its end, as the tests of several domains need it."""

from __future__ import annotations

from typing import Any


def translation_queue(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every task of the caller's queue, page after page."""
    tasks: list[dict[str, Any]] = []
    cursor = None
    for _ in range(500):
        query = {"limit": 50, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/translations/tasks", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        tasks += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return tasks
    raise AssertionError("the queue does not end")
