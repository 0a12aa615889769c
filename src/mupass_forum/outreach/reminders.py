"""The reminder before a forum: venue, times, the programme and the calendar file, mailed by
itself ``MUPASS_REMINDER_DAYS`` days before the forum begins to everyone holding a seat.

``mupass-forum forum-reminders`` runs it (once a day from a scheduler, or more often: it is
idempotent). Each person's reminder is a ``ForumReminder`` row unique per forum and person,
written in the transaction that queues the mail, so running twice, or two runs at once, mail
nobody twice; someone who gets a seat later in the window is reminded by the next run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
from babel.support import LazyProxy

from mupass_forum import db, regions
from mupass_forum.consent.links import withdrawal_link
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.tables import Forum
from mupass_forum.mail import Recipient, queue_mail_to
from mupass_forum.outreach import mails
from mupass_forum.outreach.tables import ForumReminder
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.rows import Moment, rows_as
from mupass_forum.settings import Settings

#: Forums whose people are reminded: those still ahead.
_UPCOMING = (
    ForumStatus.ANNOUNCED,
    ForumStatus.REGISTRATION_OPEN,
    ForumStatus.REGISTRATION_CLOSED,
)


class _Forum(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    timezone: str
    starts_at: Moment
    venue_name: str
    venue_room: str
    venue_address: str
    venue_city: str
    venue_country: str


class _Person(Recipient, frozen=True, kw_only=True):
    badge_number: int | None


def _venue(forum: _Forum) -> str:
    country = regions.name(forum.venue_country) if forum.venue_country else ""
    parts = (forum.venue_name, forum.venue_room, forum.venue_address, forum.venue_city, country)
    return ", ".join(part for part in parts if part)


async def send_reminders(settings: Settings, at: datetime | None = None) -> int:
    """Queue the reminders that are due; returns how many."""
    moment = at or datetime.now(UTC)
    days = timedelta(days=settings.reminder_days)
    rows = await Forum.select(
        Forum.id,
        Forum.timezone,
        Forum.starts_at,
        Forum.venue_name,
        Forum.venue_room,
        Forum.venue_address,
        Forum.venue_city,
        Forum.venue_country,
    ).where(
        Forum.status.is_in(list(_UPCOMING)),
        Forum.starts_at > moment,
        # A day more than the period: the forum's own calendar day decides below.
        Forum.starts_at <= moment + days + timedelta(days=1),
    )
    queued = 0
    for forum in rows_as(rows, _Forum):
        zone = ZoneInfo(forum.timezone)
        first_day = forum.starts_at.astimezone(zone).date() - days
        if moment.astimezone(zone).date() >= first_day:
            queued += await _remind(forum, moment)
    return queued


async def _remind(forum: _Forum, moment: datetime) -> int:
    facts = await forum_facts(forum.id)
    queued = 0
    async with db.transaction():
        rows = await ForumReminder.raw(
            "SELECT u.id, u.email, u.display_name, u.locale, u.timezone, r.badge_number "
            'FROM registration r JOIN account_user u ON u.id = r."user" '
            "WHERE r.forum = {} AND r.status IN ('confirmed', 'attended') "
            "AND r.anonymized_at IS NULL ORDER BY r.id",
            forum.id,
        )
        for person in rows_as(rows, _Person):
            claimed = await (
                ForumReminder.insert(
                    ForumReminder(
                        forum=forum.id,
                        user=person.id,
                        key=f"{forum.id}:{person.id}",
                        created_at=moment,
                    )
                )
                .on_conflict(target=ForumReminder.key, action="DO NOTHING")
                .returning(ForumReminder.id)
            )
            if not claimed:
                continue
            outbox_id = await queue_mail_to(
                mails.REMINDER,
                person,
                context={
                    **facts.context(),
                    "name": person.display_name,
                    "starts": facts.starts_at,
                    "ends": facts.ends_at,
                    # Named in the recipient's language: the country's name is CLDR's.
                    "venue": LazyProxy(_venue, forum, enable_cache=False),
                    "badge_number": person.badge_number or "",
                    "link": facts.link(mails.FORUM_PATH),
                    "calendar_link": facts.link(mails.CALENDAR_PATH),
                    "consent_link": withdrawal_link(person.id, forum.id),
                },
            )
            await ForumReminder.update({ForumReminder.outbox_id: outbox_id}).where(
                ForumReminder.id == claimed[0]["id"]
            )
            queued += 1
    return queued
