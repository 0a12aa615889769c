"""The consent share of a person's data: every decision, with the notice texts it was made on.

Erasure leaves the ledger as it is: the events are proof of what the person decided and stay
linked to the pseudonymous account id, which names nobody, until retention removes them with
their forum's release (``ConsentRelease``) once the proof period is over.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import msgspec

from mupass_forum.consent.ledger import consent_history
from mupass_forum.consent.tables import ConsentEvent, ConsentNotice, ConsentRelease
from mupass_forum.i18n import N_
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.privacy.registry import (
    STAGE_CONSENT,
    ErasureRequest,
    NoPersonalData,
    PersonalData,
    Subject,
)


async def export(subject: Subject) -> Mapping[str, Any]:
    history = await consent_history(subject.user_id)
    shown = await ConsentEvent.select(ConsentEvent.notice, ConsentEvent.notice_locale).where(
        ConsentEvent.user == subject.user_id
    )
    pairs = sorted({(row["notice"], row["notice_locale"]) for row in shown})
    rows = (
        await ConsentNotice.select(
            ConsentNotice.id,
            ConsentNotice.forum.slug.as_alias("forum"),
            ConsentNotice.version,
            ConsentNotice.text,
        ).where(ConsentNotice.id.is_in([notice for notice, _ in pairs]))
        if pairs
        else []
    )
    notices = {row["id"]: row for row in rows}
    return {
        "events": msgspec.to_builtins(history.events),
        "notices": [
            {
                "forum": notices[notice]["forum"],
                "version": notices[notice]["version"],
                "language": locale,
                "text": TranslatableText.from_json(notices[notice]["text"]).texts.get(locale, ""),
            }
            for notice, locale in pairs
        ],
    }


async def erase(request: ErasureRequest) -> None:
    """Nothing to do: the ledger keeps the events, pseudonymous, for as long as they prove."""


PERSONAL_DATA = PersonalData(
    section="consent",
    # i18n: Part of the personal data export (README).
    description=N_(
        "Every decision you made about photos and videos, with the version, language and text "
        "of the notice you decided on."
    ),
    tables={ConsentEvent: "events"},
    export=export,
    erase=erase,
    stage=STAGE_CONSENT,
)

NO_PERSONAL_DATA = NoPersonalData(
    (ConsentNotice, ConsentRelease),
    "notice texts a forum published and the forums whose proof period is over; a notice's "
    "publisher is an account id, kept as the pseudonymous tombstone after erasure",
)


# Retention -------------------------------------------------------------------------------------


async def releasable(forum_id: int) -> int:
    """How many consent events of the forum are in the ledger."""
    return int(await ConsentEvent.count().where(ConsentEvent.forum == forum_id))


async def release_forum(forum_id: int, at: datetime, proof_days: int) -> int:
    """Release the forum's ledger and remove its events (inside the caller's transaction).

    The release is what lets the ledger's trigger allow these deletes; it is written once per
    forum and never taken back. Returns how many events were removed.
    """
    if not await ConsentRelease.exists().where(ConsentRelease.forum == forum_id):
        await ConsentRelease.insert(
            ConsentRelease(forum=forum_id, released_at=at, proof_days=proof_days)
        )
    removed = (
        await ConsentEvent.delete().where(ConsentEvent.forum == forum_id).returning(ConsentEvent.id)
    )
    return len(removed)
