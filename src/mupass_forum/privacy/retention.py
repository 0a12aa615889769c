"""Retention: nothing about a person is kept longer than a forum needs it.

Once a forum ended longer ago than its retention period (its own, or
``MUPASS_RETENTION_DAYS``), whatever its status (its dates end it; organizers who never marked
it as held are told by mail), its registrations lose their personal details, its interest
records their names and addresses, and its photo list is refused; every figure of its
statistics stays as it was. Once it ended longer ago than the proof period
(``MUPASS_CONSENT_PROOF_DAYS``, at least the retention period), its consent events are removed
from the ledger.

Forums of the demonstration data (``Forum.is_demo``) are left alone: they are examples, and
the demonstration is meant to stay whole however long it runs.

Each forum is done in one transaction and marked done in ``ForumRetention``, so a run can be
stopped and started again, and a second run finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import recipients_among
from mupass_forum.clock import now
from mupass_forum.consent import personal_data as consent
from mupass_forum.errors import FieldError, Gone, InvalidInput
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import editable_forum, forum_runners
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import N_, NP_
from mupass_forum.mail import personal_data as outbox
from mupass_forum.mail import queue_mail_to
from mupass_forum.privacy import mails, schemas, stores
from mupass_forum.privacy.shredding import shredded
from mupass_forum.privacy.tables import ForumRetention
from mupass_forum.proposals import personal_data as proposals
from mupass_forum.registrations import personal_data as registrations
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.rows import Moment, rows_as
from mupass_forum.settings import Settings


@dataclass(frozen=True, slots=True)
class ForumWork:
    """What retention will do, or did, for one forum."""

    forum_id: int
    slug: str
    ends_at: datetime
    retention_days: int
    #: The forum's personal details are due for shredding (they may be few or none).
    shred: bool
    registrations: int
    interest: int
    #: Proposals that did not make the programme, and organizers' notes.
    proposals: int
    #: Sent mails about the forum (its pages' addresses in their text).
    mails: int
    #: The forum's consent events are due for removal.
    clear_consent: bool
    consent_events: int
    #: The proof period its consent events were kept for.
    proof_days: int = 0
    #: Nobody marked the forum as held, archived or cancelled: its organizers are told.
    unclosed: bool = False

    @property
    def empty(self) -> bool:
        return not (self.shred or self.clear_consent)


class _Retention(msgspec.Struct, frozen=True, kw_only=True):
    """What retention keeps per forum; all null for a forum it has not touched."""

    retention_days: int | None = None
    shredded_at: Moment | None = None
    consent_cleared_at: Moment | None = None


class _RetentionRow(_Retention, frozen=True, kw_only=True):
    forum: int


_UNTOUCHED = _Retention()


class _EndedForum(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    slug: str
    ends_at: Moment
    status: str


async def _retention_rows() -> dict[int, _RetentionRow]:
    rows = await ForumRetention.select(
        ForumRetention.forum,
        ForumRetention.retention_days,
        ForumRetention.shredded_at,
        ForumRetention.consent_cleared_at,
    )
    return {row.forum: row for row in rows_as(rows, _RetentionRow)}


def _forum_pages(slug: str) -> str:
    """What the address of any page of the forum in a mail contains."""
    return f"/forums/{slug}/"


async def _shreddable(forum_id: int, slug: str) -> tuple[int, int, int, int]:
    registered, interested = await registrations.shreddable(forum_id)
    return (
        registered,
        interested,
        await proposals.shreddable(forum_id),
        await outbox.count_done_mentioning(_forum_pages(slug)),
    )


async def plan(settings: Settings, at: datetime | None = None) -> list[ForumWork]:
    """The forums retention has work for, oldest first, with what it would remove."""
    at = at or now()
    # The dates end a forum, whatever its status: one nobody marked as held is due as well.
    rows = (
        await Forum.select(Forum.id, Forum.slug, Forum.ends_at, Forum.status)
        # The demonstration's forums are examples, not people's data: they stay as loaded.
        .where(Forum.ends_at < at, Forum.is_demo.eq(False))
        .order_by(Forum.ends_at)
    )
    kept = await _retention_rows()
    work = []
    for forum in rows_as(rows, _EndedForum):
        own = kept.get(forum.id, _UNTOUCHED)
        days = own.retention_days or settings.retention_days
        proof_days = max(days, settings.consent_proof_days)
        over = forum.ends_at
        shred = own.shredded_at is None and over < at - timedelta(days=days)
        clear = own.consent_cleared_at is None and over < at - timedelta(days=proof_days)
        counts = await _shreddable(forum.id, forum.slug) if shred else (0, 0, 0, 0)
        events = await consent.releasable(forum.id) if clear else 0
        # Whatever was written after the forum was shredded goes too (writes are refused, but
        # nothing may outlive its period because one slipped through).
        if own.shredded_at is not None:
            counts = await _shreddable(forum.id, forum.slug)
            shred = any(counts)
        if own.consent_cleared_at is not None:
            events = await consent.releasable(forum.id)
            clear = events > 0
        if not (shred or clear):
            continue
        work.append(
            ForumWork(
                forum_id=forum.id,
                slug=forum.slug,
                ends_at=forum.ends_at,
                retention_days=days,
                shred=shred,
                registrations=counts[0],
                interest=counts[1],
                proposals=counts[2],
                mails=counts[3],
                clear_consent=clear,
                consent_events=events,
                proof_days=proof_days,
                unclosed=forum.status not in registrations.OVER and own.shredded_at is None,
            )
        )
    return work


async def _mark(forum_id: int, changes: dict[Any, Any]) -> None:
    changes = {**changes, ForumRetention.updated_at: now()}
    updated = (
        await ForumRetention.update(changes)
        .where(ForumRetention.forum == forum_id)
        .returning(ForumRetention.id)
    )
    if not updated:
        values = {column._meta.name: value for column, value in changes.items()}
        await ForumRetention.insert(ForumRetention(forum=forum_id, **values))


async def carry_out(work: ForumWork, at: datetime | None = None) -> ForumWork:
    """Do one forum's retention in one transaction; returns what was actually removed."""
    at = at or now()
    done_registrations = done_interest = done_proposals = done_mails = done_events = 0
    async with db.transaction():
        if work.shred:
            done_registrations, done_interest = await registrations.shred_forum(work.forum_id, at)
            done_proposals = await proposals.shred_forum(work.forum_id)
            done_mails = await outbox.remove_done_mentioning(_forum_pages(work.slug))
            await _mark(work.forum_id, {ForumRetention.shredded_at: at})
            if work.unclosed:
                await _tell_organizers(work.forum_id)
        if work.clear_consent:
            done_events = await consent.release_forum(work.forum_id, at, work.proof_days)
            await _mark(work.forum_id, {ForumRetention.consent_cleared_at: at})
    await db.scrub()
    return ForumWork(
        forum_id=work.forum_id,
        slug=work.slug,
        ends_at=work.ends_at,
        retention_days=work.retention_days,
        shred=work.shred,
        registrations=done_registrations,
        interest=done_interest,
        proposals=done_proposals,
        mails=done_mails,
        clear_consent=work.clear_consent,
        consent_events=done_events,
        proof_days=work.proof_days,
        unclosed=work.unclosed,
    )


async def _tell_organizers(forum_id: int) -> None:
    """Mail those who run a forum that its dates, not its status, ended it."""
    user_ids = await forum_runners(forum_id)
    if not user_ids:
        return
    facts = await forum_facts(forum_id)
    for recipient in await recipients_among(user_ids):
        await queue_mail_to(
            mails.FORUM_SHREDDED_UNCLOSED,
            recipient,
            context={
                **facts.context(),
                "display_name": recipient.display_name,
                "link": facts.link(mails.DESK_PATH),
            },
        )


async def run(
    settings: Settings,
    *,
    dry_run: bool = False,
    progress: Callable[[ForumWork], None] | None = None,
) -> list[ForumWork]:
    """Retention for every forum that is due; ``dry_run`` only says what would go. The stores
    that follow the clock are cleaned by ``run_stores``."""
    at = now()
    done = []
    for work in await plan(settings, at):
        result = work if dry_run else await carry_out(work, at)
        done.append(result)
        if progress is not None:
            progress(result)
    return done


async def run_stores(settings: Settings, *, dry_run: bool = False) -> list[stores.StoreWork]:
    """Remove what is due from every store with a period; ``dry_run`` only counts it."""
    at = now()
    due = await stores.plan(settings, at)
    return due if dry_run else [await stores.carry_out(work, at) for work in due]


# A forum's own period, and its photo list ------------------------------------------------------


async def refuse_shredded_photo_list(forum: ForumRef) -> None:
    """The photo list of a forum whose personal details were shredded is gone for good."""
    if await shredded(forum.id):
        raise Gone(
            "photo_list_shredded",
            N_("The photo list of this forum was deleted when its retention period ended."),
        )


async def _forum_retention(settings: Settings, forum: ForumRef) -> schemas.ForumRetention:
    own = (await _retention_rows()).get(forum.id, _UNTOUCHED)
    days = own.retention_days or settings.retention_days
    return schemas.ForumRetention(
        forum=forum.slug,
        retention_days=own.retention_days,
        default_days=settings.retention_days,
        effective_days=days,
        shred_after=forum.ends_at + timedelta(days=days),
        shredded_at=own.shredded_at,
        consent_cleared_at=own.consent_cleared_at,
    )


async def forum_retention(
    principal: Principal, settings: Settings, slug: str
) -> schemas.ForumRetention:
    """A forum's retention period and what was done (those who edit the forum)."""
    return await _forum_retention(settings, await editable_forum(principal, slug))


async def set_forum_retention(
    principal: Principal, settings: Settings, slug: str, data: schemas.ForumRetentionUpdate
) -> schemas.ForumRetention:
    """Give a forum its own retention period, or return it to the default."""
    forum = await editable_forum(principal, slug)
    if data.retention_days is not None and data.retention_days > settings.retention_max_days:
        raise InvalidInput(
            FieldError(
                NP_(
                    "A forum keeps personal details for at most {n} day after it ends.",
                    "A forum keeps personal details for at most {n} days after it ends.",
                ),
                code="retention_too_long",
                pointer="/retention_days",
                params={"n": settings.retention_max_days},
            )
        )
    async with db.transaction():
        await _mark(forum.id, {ForumRetention.retention_days: data.retention_days})
    return await _forum_retention(settings, forum)
