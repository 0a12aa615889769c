"""Demonstration consent decisions for the next forum, one of each colour: the demonstration
participant allows photos and videos for every use (green), the first person of the
registrations' demonstration people only photos for internal use and the website (yellow),
the second none at all (red). Recorded as choices made with the registration, against the
forum's default notice."""

from __future__ import annotations

from mupass_forum import db
from mupass_forum.accounts.demo_data import demo_account_ids
from mupass_forum.accounts.tables import User
from mupass_forum.consent import ledger
from mupass_forum.consent.schemas import Channel, ConsentChoice, Decision, Medium, Purpose
from mupass_forum.consent.tables import ConsentEvent
from mupass_forum.forums.demo_data import living_forum_ids
from mupass_forum.registrations.tables import Registration

GREEN = [ConsentChoice(decision=Decision.GRANTED)]
YELLOW = [
    ConsentChoice(
        decision=Decision.GRANTED,
        media=[Medium.PHOTO],
        purposes=[Purpose.INTERNAL, Purpose.WEBSITE],
    ),
    ConsentChoice(decision=Decision.REFUSED, media=[Medium.VIDEO]),
    ConsentChoice(
        decision=Decision.REFUSED,
        media=[Medium.PHOTO],
        purposes=[Purpose.SOCIAL_MEDIA, Purpose.PRESS],
    ),
]
RED = [ConsentChoice(decision=Decision.REFUSED)]


async def load_consent() -> list[str]:
    """The three colours at the next forum, unless its ledger has decisions already."""
    forums = await living_forum_ids()
    accounts = await demo_account_ids()
    if "open" not in forums or "participant" not in accounts:
        return []
    forum_id = forums["open"]
    if await ConsentEvent.exists().where(ConsentEvent.forum == forum_id):
        return []
    participant = accounts["participant"]
    others = await (
        Registration.select(Registration.user)
        .where(Registration.forum == forum_id, Registration.user != participant)
        .order_by(Registration.id)
        .limit(2)
    )
    people = [participant, *(int(row["user"]) for row in others)]
    if len(people) < 3:
        return []
    locales = {
        int(row["id"]): str(row["locale"])
        for row in await User.select(User.id, User.locale).where(User.id.is_in(people))
    }
    async with db.transaction():
        for user_id, choices in zip(people, (GREEN, YELLOW, RED), strict=True):
            await ledger.record_decisions(
                user_id,
                forum_id,
                ledger.expand_choices(choices),
                Channel.REGISTRATION,
                user_id,
                locales[user_id],
            )
    return ["consent decisions for the next forum: green, yellow and red"]
