"""The consent ledger's hot reads as SQL: everyone's latest decision per pair, and the people a
forum's consent counts. Other domains' tables and statuses are named by their own modules."""

from __future__ import annotations

import msgspec

from mupass_forum.accounts.tables import Organization, User
from mupass_forum.consent.schemas import Decision, Medium, Purpose
from mupass_forum.consent.tables import ConsentEvent
from mupass_forum.participants.tables import Profile
from mupass_forum.registrations.status import SEATED
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import Moment, rows_as

_LATEST = """
SELECT e."user" AS user_id, e.medium, e.purpose, e.decision, e.notice_version, e.recorded_at
FROM consent_event e
WHERE e.forum = {}
  AND e.id = (
    SELECT max(l.id) FROM consent_event l
    WHERE l.forum = e.forum AND l."user" = e."user" AND l.medium = e.medium
      AND l.purpose = e.purpose
  )
"""


class LatestRow(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    medium: Medium
    purpose: Purpose
    decision: Decision
    notice_version: int
    recorded_at: Moment


async def latest_rows(forum_id: int, user_id: int | None) -> list[LatestRow]:
    """The latest event per person and pair of a forum (one person's when ``user_id``)."""
    if user_id is None:
        return rows_as(await ConsentEvent.raw(_LATEST, forum_id), LatestRow)
    return rows_as(
        await ConsentEvent.raw(_LATEST + ' AND e."user" = {}', forum_id, user_id), LatestRow
    )


#: Registered participants: those holding a seat (confirmed, or checked in as attended).
#: Waiting, pending, declined and cancelled registrations are not expected at the forum.
_PEOPLE = f"""
SELECT r."user" AS user_id, r.badge_number, u.display_name, p.given_name, p.family_name,
       u.erased_at IS NOT NULL AS erased,
       COALESCE(NULLIF(p.organization_name, ''), o.name, '') AS organization
FROM {Registration._meta.tablename} r
JOIN {User._meta.tablename} u ON u.id = r."user"
LEFT JOIN {Profile._meta.tablename} p ON p."user" = r."user"
LEFT JOIN {Organization._meta.tablename} o ON o.id = p.organization
WHERE r.forum = {{}} AND r.status IN ({", ".join("{}" for _ in SEATED)})
"""  # noqa: S608 (table names from their tables, values as placeholders)


class PersonRow(msgspec.Struct, frozen=True, kw_only=True):
    user_id: int
    badge_number: int | None
    display_name: str
    #: Null without a profile.
    given_name: str | None
    family_name: str | None
    erased: bool
    organization: str


async def people_rows(forum_id: int) -> list[PersonRow]:
    rows = await ConsentEvent.raw(_PEOPLE, forum_id, *(status.value for status in SEATED))
    return rows_as(rows, PersonRow)
