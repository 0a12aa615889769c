"""What any layer may ask about the request being served: its id, and whether a person reads
the answer as a page. ``request_context`` sets the id for every request; errors and logs read it."""

from __future__ import annotations

from contextvars import ContextVar

#: Paths for programs and machines; every other path is a page for people.
NON_PAGE_PREFIXES = ("/api/", "/health/", "/schema", "/static/")

REQUEST_ID: ContextVar[str | None] = ContextVar("mupass_request_id", default=None)


def current_request_id() -> str | None:
    return REQUEST_ID.get()


def is_page_path(path: str) -> bool:
    """Whether ``path`` is a page (HTML for people) rather than the API or a machine's path."""
    return not path.startswith(NON_PAGE_PREFIXES)
