"""Sign-ups for break-out workshops: every rule and every query.

Who: people holding a seat at the forum (a confirmed or attended registration). What: programme
items of kind workshop or break-out session, each with its own ``capacity`` (null: not limited).

Places are exact in the same way as seats: every transaction that changes a workshop's sign-ups
locks its ``WorkshopDesk`` row (an ``UPDATE`` of it) and takes a place by a conditional
increment (``places_taken < capacity``). Before that it locks the person's registration row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` serializes anyway), so that
the check against overlapping workshops and the cancellation of the registration both see every
sign-up of that person: two concurrent sign-ups for overlapping workshops cannot both pass, and a
sign-up cannot slip past a cancellation. Locks are taken in one order (the forum's seat desk,
the registration, then workshop desks), so transactions do not deadlock.

A workshop has no waiting list: a place that is given back is free for whoever asks next.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

import msgspec
from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, Forbidden, NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.programme import items_for_reader, programme_rows
from mupass_forum.forums.queries import editable_forum, visible_forum
from mupass_forum.forums.schemas import ForumStatus, ProgrammeItemKind
from mupass_forum.forums.tables import ProgrammeItem
from mupass_forum.i18n import N_
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.participants.visibility import Condition
from mupass_forum.registrations import schemas
from mupass_forum.registrations.desk import StatusMove
from mupass_forum.registrations.queries import (
    PersonColumns,
    decode_id_cursor,
    encode_id_cursor,
    person_of,
)
from mupass_forum.registrations.status import SEATED
from mupass_forum.registrations.tables import WorkshopDesk, WorkshopSignUp
from mupass_forum.rows import Moment, row_as, rows_as

#: Programme items people sign up for.
WORKSHOP_KINDS = (ProgrammeItemKind.WORKSHOP.value, ProgrammeItemKind.BREAKOUT_SESSION.value)

#: Forum statuses in which places are taken and given back.
_OPEN_FOR_SIGN_UPS = (ForumStatus.REGISTRATION_OPEN, ForumStatus.REGISTRATION_CLOSED)


# Locks and counters ----------------------------------------------------------------------------


class _LockedRegistration(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    status: str


async def _lock_registration(forum_id: int, user_id: int) -> _LockedRegistration | None:
    """The person's registration for the forum, locked until the transaction ends."""
    db.require_transaction()
    sql = 'SELECT id, status FROM registration WHERE forum = {} AND "user" = {}'
    if db.is_postgres():
        sql += " FOR UPDATE"
    rows = await WorkshopSignUp.raw(sql, forum_id, user_id)
    return row_as(rows[0], _LockedRegistration) if rows else None


async def _lock_workshop_desk(item_id: int) -> None:
    """Lock the workshop's desk until the transaction ends; made on first use."""
    db.require_transaction()
    lock = WorkshopDesk.update({WorkshopDesk.updated_at: now()}).where(
        WorkshopDesk.programme_item == item_id
    )
    if not await lock.returning(WorkshopDesk.id):
        await WorkshopDesk.insert(WorkshopDesk(programme_item=item_id)).on_conflict(
            target=WorkshopDesk.programme_item, action="DO NOTHING"
        )
        await lock


async def _take_place(item_id: int, capacity: int | None) -> bool:
    """Count one more place taken, unless the workshop is full: the one place it happens."""
    query = WorkshopDesk.update({WorkshopDesk.places_taken: WorkshopDesk.places_taken + 1}).where(
        WorkshopDesk.programme_item == item_id
    )
    if capacity is not None:
        query = query.where(WorkshopDesk.places_taken < capacity)
    return bool(await query.returning(WorkshopDesk.id))


async def _free_place(item_id: int) -> None:
    await WorkshopDesk.update({WorkshopDesk.places_taken: WorkshopDesk.places_taken - 1}).where(
        WorkshopDesk.programme_item == item_id, WorkshopDesk.places_taken > 0
    )


# Rules -----------------------------------------------------------------------------------------

_ITEM_COLUMNS = (
    ProgrammeItem.id,
    ProgrammeItem.title,
    ProgrammeItem.starts_at,
    ProgrammeItem.ends_at,
    ProgrammeItem.capacity,
)


class _WorkshopItem(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    starts_at: Moment
    ends_at: Moment
    capacity: int | None


async def _workshop_row(forum: ForumRef, item_id: int) -> _WorkshopItem:
    row = (
        await ProgrammeItem.select(*_ITEM_COLUMNS)
        .where(
            ProgrammeItem.id == item_id,
            ProgrammeItem.forum == forum.id,
            ProgrammeItem.kind.is_in(list(WORKSHOP_KINDS)),
        )
        .first()
    )
    if row is None:
        raise NotFound("workshop_not_found", N_("This forum has no such workshop."))
    return row_as(row, _WorkshopItem)


def _check_open(forum: ForumRef, item: _WorkshopItem) -> None:
    if forum.status not in _OPEN_FOR_SIGN_UPS or item.starts_at <= now():
        raise Conflict(
            "workshop_sign_up_closed",
            N_("Places in this workshop can no longer be taken or given back."),
        )


async def _seated_registration(forum: ForumRef, user_id: int) -> _LockedRegistration:
    registration = await _lock_registration(forum.id, user_id)
    if registration is None or registration.status not in {status.value for status in SEATED}:
        raise Forbidden(
            "not_a_participant",
            N_("Only participants with a confirmed seat at this forum can sign up for workshops."),
        )
    return registration


class _StoredTitle(msgspec.Struct, frozen=True, kw_only=True):
    #: JSON as the database hands it back (text on SQLite).
    title: str | dict[str, object]


async def _overlapping_title(registration_id: int, item: _WorkshopItem) -> TranslatableText | None:
    """The stored title of a workshop of the person's that overlaps ``item``, if any."""
    row = (
        await WorkshopSignUp.select(WorkshopSignUp.programme_item.title.as_alias("title"))
        .where(
            WorkshopSignUp.registration == registration_id,
            WorkshopSignUp.programme_item.starts_at < item.ends_at,
            WorkshopSignUp.programme_item.ends_at > item.starts_at,
        )
        .first()
    )
    return None if row is None else TranslatableText.from_json(row_as(row, _StoredTitle).title)


# Signing up and leaving ------------------------------------------------------------------------


async def sign_up(principal: Principal, slug: str, item_id: int) -> schemas.Workshop:
    """Take a place in a workshop: while places are left and nothing of yours overlaps it."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    async with db.transaction():
        # Closed sign-ups first: a cancelled forum's participants hold no seat any more, and
        # "closed" is what they need to hear.
        item = await _workshop_row(forum, item_id)
        _check_open(forum, item)
        registration = await _seated_registration(forum, principal.user_id)
        if await WorkshopSignUp.exists().where(
            WorkshopSignUp.programme_item == item_id,
            WorkshopSignUp.registration == registration.id,
        ):
            raise Conflict("already_signed_up", N_("You have a place in this workshop already."))
        title = await _overlapping_title(registration.id, item)
        if title is not None:
            raise Conflict(
                "workshop_overlaps",
                N_("You have a place in “{title}”, which takes place at the same time."),
                title=LazyProxy(title.best, enable_cache=False),
            )
        await _lock_workshop_desk(item_id)
        # The capacity as committed now, read under the desk's lock.
        capacity = (await _workshop_row(forum, item_id)).capacity
        if not await _take_place(item_id, capacity):
            raise Conflict("workshop_full", N_("This workshop is full."))
        await WorkshopSignUp.insert(
            WorkshopSignUp(programme_item=item_id, registration=registration.id, created_at=now())
        )
    return (await _workshops(forum, principal.user_id, item_id))[0]


async def leave(principal: Principal, slug: str, item_id: int) -> None:
    """Give back your place in a workshop."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    async with db.transaction():
        registration = await _lock_registration(forum.id, principal.user_id)
        item = await _workshop_row(forum, item_id)
        deleted = []
        if registration is not None:
            deleted = await (
                WorkshopSignUp.delete()
                .where(
                    WorkshopSignUp.programme_item == item_id,
                    WorkshopSignUp.registration == registration.id,
                )
                .returning(WorkshopSignUp.id)
            )
        if not deleted:
            raise NotFound("sign_up_not_found", N_("You have no place in this workshop."))
        _check_open(forum, item)
        await _lock_workshop_desk(item_id)
        await _free_place(item_id)


async def release_places(move: StatusMove) -> None:
    """Give back the workshop places of a registration that no longer holds a seat.

    Runs in the transaction that changes the registration's status (``on_status_change``).
    """
    if move.from_status is None or move.to_status in SEATED:
        return
    rows = await (
        WorkshopSignUp.delete()
        .where(WorkshopSignUp.registration == move.registration_id)
        .returning(WorkshopSignUp.programme_item)
    )
    for item_id in sorted(int(row["programme_item"]) for row in rows):
        await _lock_workshop_desk(item_id)
        await _free_place(item_id)


# Reading ---------------------------------------------------------------------------------------


async def _workshops(
    forum: ForumRef, user_id: int | None, only: int | None = None
) -> list[schemas.Workshop]:
    rows = [
        row
        for row in await programme_rows(forum.id)
        if row["kind"] in WORKSHOP_KINDS and (only is None or row["id"] == only)
    ]
    ids = [row["id"] for row in rows]
    taken: dict[int, int] = {}
    mine: set[int] = set()
    if ids:
        desks = await WorkshopDesk.select(
            WorkshopDesk.programme_item, WorkshopDesk.places_taken
        ).where(WorkshopDesk.programme_item.is_in(ids))
        taken = {row["programme_item"]: int(row["places_taken"]) for row in desks}
        if user_id is not None:
            signed = await WorkshopSignUp.select(WorkshopSignUp.programme_item).where(
                WorkshopSignUp.programme_item.is_in(ids),
                WorkshopSignUp.registration.user == user_id,
            )
            mine = {row["programme_item"] for row in signed}
    items = items_for_reader(rows, ZoneInfo(forum.timezone))
    return [
        schemas.Workshop(
            item=item,
            places_taken=taken.get(item.id, 0),
            places_left=(
                None if item.capacity is None else max(0, item.capacity - taken.get(item.id, 0))
            ),
            signed_up=item.id in mine,
        )
        for item in items
    ]


async def list_workshops(principal: Principal, slug: str) -> list[schemas.Workshop]:
    """The forum's workshops in the order they happen, with places left and your sign-ups."""
    forum = await visible_forum(principal, slug)
    return await _workshops(forum, principal.user_id)


_PARTICIPANT_SELECT = (
    "SELECT s.id AS sign_up_id, s.created_at AS signed_up_at, r.id AS registration_id, "
    'r."user" AS user_id, u.display_name, u.email, p.given_name, p.family_name, '
    "p.organization_name, p.country, p.region, p.sub_region, p.stakeholder_group, "
    "p.government_level FROM registration_workshop_sign_up s "
    "JOIN registration r ON r.id = s.registration "
    'JOIN account_user u ON u.id = r."user" '
    'LEFT JOIN participant_profile p ON p."user" = r."user" '
)


class _ParticipantRow(PersonColumns, frozen=True, kw_only=True):
    sign_up_id: int
    signed_up_at: Moment
    registration_id: int


async def workshop_participants(
    principal: Principal, slug: str, item_id: int, cursor: str | None, limit: int
) -> schemas.WorkshopParticipantPage:
    """Who holds a place in a workshop, in the order they signed up (organizers)."""
    forum = await editable_forum(principal, slug)
    await _workshop_row(forum, item_id)
    where = [
        Condition("s.programme_item = {}", (item_id,)),
        # An erased person keeps their place in the counts, and is listed nowhere.
        Condition("r.anonymized_at IS NULL", ()),
    ]
    if cursor is not None:
        where.append(Condition("s.id > {}", (decode_id_cursor(cursor),)))
    sql = (
        _PARTICIPANT_SELECT
        + "WHERE "
        + " AND ".join(f"({c.sql})" for c in where)
        + " ORDER BY s.id LIMIT {}"
    )
    rows = await WorkshopSignUp.raw(sql, *(arg for c in where for arg in c.args), limit + 1)
    page = rows_as(rows[:limit], _ParticipantRow)
    return schemas.WorkshopParticipantPage(
        items=[
            schemas.WorkshopParticipant(
                registration_id=row.registration_id,
                person=person_of(row),
                signed_up_at=row.signed_up_at,
            )
            for row in page
        ],
        next_cursor=encode_id_cursor(page[-1].sign_up_id) if len(rows) > limit else None,
    )
