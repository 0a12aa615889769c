"""How registrations plug into the domains below them; ``app.install`` calls this once per app."""

from __future__ import annotations

from mupass_forum.forums.services import on_forum_change
from mupass_forum.participants.visibility import use_attendance
from mupass_forum.registrations import decisions, desk, forum_facts, interest, queries, workshops
from mupass_forum.settings import Settings


def install_registrations(settings: Settings) -> None:
    """Links in mails from ``settings``; forum changes heard; attendance for the directory;
    workshop places given back with a seat."""
    forum_facts.install(settings)
    interest.install(settings)
    on_forum_change(decisions.on_forum_change)
    use_attendance(queries.RegisteredAttendance())
    desk.on_status_change(workshops.release_places)
