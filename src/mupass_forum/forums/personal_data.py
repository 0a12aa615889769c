"""The forums' share of a person's data: forum roles and appearances as a speaker.

A programme names its speakers; on erasure the person leaves the speakers of every item (linked
by account, or named as the account or profile named them), and the item itself stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mupass_forum.forums.queries import stored_json
from mupass_forum.forums.tables import Forum, ForumPartner, ForumRole, ForumSeries, ProgrammeItem
from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import (
    STAGE_FORUMS,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)


def _is_subject(entry: Mapping[str, Any], subject: Subject) -> bool:
    return entry.get("user_id") == subject.user_id or (
        not entry.get("user_id") and str(entry.get("name", "")).strip() in subject.names
    )


async def _appearances(subject: Subject) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Programme items whose speakers include the person, with their speaker lists.

    Every item is read: a JSON column cannot be searched the same way on both databases, and
    an export or an erasure is rare enough for that.
    """
    rows = await ProgrammeItem.select(
        ProgrammeItem.id,
        ProgrammeItem.forum.slug.as_alias("forum"),
        ProgrammeItem.title,
        ProgrammeItem.starts_at,
        ProgrammeItem.speakers,
    )
    found = []
    for row in rows:
        speakers = list(stored_json(row.pop("speakers")) or [])
        if any(_is_subject(entry, subject) for entry in speakers):
            row["title"] = stored_json(row["title"])
            found.append((row, speakers))
    return found


async def export(subject: Subject) -> Mapping[str, Any]:
    roles = await ForumRole.select(
        ForumRole.forum.slug.as_alias("forum"), ForumRole.role, ForumRole.granted_at
    ).where(ForumRole.user == subject.user_id)
    appearances = [
        {**item, "as_speaker": [e for e in speakers if _is_subject(e, subject)]}
        for item, speakers in await _appearances(subject)
    ]
    return {"forum_roles": roles, "programme_appearances": appearances}


async def erase(request: ErasureRequest) -> None:
    await ForumRole.delete().where(ForumRole.user == request.subject.user_id)
    for item, speakers in await _appearances(request.subject):
        kept = [entry for entry in speakers if not _is_subject(entry, request.subject)]
        await ProgrammeItem.update(
            {ProgrammeItem.speakers: kept, ProgrammeItem.updated_at: request.at}
        ).where(ProgrammeItem.id == item["id"])


PERSONAL_DATA = PersonalData(
    section="forums",
    # i18n: Part of the personal data export (README).
    description=N_(
        "Your roles for forums (organizer, moderator, photographer) and the programme items "
        "that name you as a speaker."
    ),
    tables={ForumRole: "forum_roles", ProgrammeItem: "programme_appearances"},
    export=export,
    erase=erase,
    stage=STAGE_FORUMS,
)

NO_PERSONAL_DATA = NoPersonalData(
    (ForumSeries, Forum, ForumPartner),
    "forums and their partner institutes; who created a forum is an account id, kept as "
    "the pseudonymous tombstone after erasure",
)
