"""How registrations plug into the domains below them; ``create_app`` calls this once per app."""

from __future__ import annotations

from mupass_forum.app_context import Hooks
from mupass_forum.forums.services import on_forum_change
from mupass_forum.participants.visibility import use_attendance
from mupass_forum.registrations import decisions, desk, queries, workshops


def wire_registrations(hooks: Hooks) -> None:
    """Forum changes heard; attendance for the directory; workshop places given back with a
    seat."""
    on_forum_change(hooks, decisions.on_forum_change)
    use_attendance(hooks, queries.RegisteredAttendance())
    desk.on_status_change(hooks, workshops.release_places)
