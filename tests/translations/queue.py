"""Reading the translators' queue to its end, as the tests of several domains need it."""

from __future__ import annotations

from typing import Any


def translation_queue(client: Any, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    """Every task of the caller's queue, page after page."""
    tasks: list[dict[str, Any]] = []
    cursor = None
    # The suite's database is shared by every test: the queue grows with the suite, so the
    # bound is on repeated cursors (a queue that does not end), not on a number of pages.
    seen: set[str] = set()
    while True:
        query = {"limit": 50, **params, **({"cursor": cursor} if cursor else {})}
        response = client.get("/api/v1/translations/tasks", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        tasks += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return tasks
        if cursor in seen:
            raise AssertionError("the queue does not end")
        seen.add(cursor)
