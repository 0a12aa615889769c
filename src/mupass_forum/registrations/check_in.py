"""Check-in at the door: find a person by name or badge number, check them in, take it back.

Only people holding a seat (confirmed, or already checked in) are found. Check-in is open from
the day before the forum to its last day, in the forum's time zone (``decisions.check_in_open``);
outside those days it is a 409 ``check_in_closed``. Both directions are idempotent, so that a tap
sent again over a poor connection changes nothing the second time; taking a check-in back mails
nobody, as it corrects a slip of the finger.
"""

from __future__ import annotations

from datetime import date

import msgspec

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import Conflict, NotFound
from mupass_forum.forums.queries import organized_forum
from mupass_forum.forums.schemas import Label
from mupass_forum.i18n.collation import search_form
from mupass_forum.participants.visibility import Condition
from mupass_forum.registrations.decisions import check_in_days, check_in_open
from mupass_forum.registrations.desk import lock_desk, move
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.registrations.queries import ROW_COLUMNS, RegistrationRow
from mupass_forum.registrations.status import SEATED, Status, status_label
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import row_as, rows_as

#: The most people one search shows: the door wants the few that match, not a list.
DOOR_RESULTS = 20
#: The longest query read (names are shorter than this).
MAX_QUERY = 100


class DoorEntry(msgspec.Struct):
    registration_id: int
    badge_number: int | None
    given_name: str
    family_name: str
    display_name: str
    organization: str
    status: Label
    checked_in: bool


class DoorCount(msgspec.Struct):
    #: People checked in so far.
    checked_in: int
    #: People holding a seat (checked in or not).
    expected: int


class DoorSearch(msgspec.Struct):
    query: str
    entries: list[DoorEntry]
    count: DoorCount
    #: The days of check-in in the forum's time zone, and whether today is one of them.
    first_day: date
    last_day: date
    open: bool


class DoorCheckIn(msgspec.Struct):
    entry: DoorEntry
    count: DoorCount


_SELECT = (
    "SELECT r.id, r.badge_number, r.status, u.display_name, p.given_name, p.family_name, "
    "p.organization_name "
    'FROM registration r JOIN account_user u ON u.id = r."user" '
    'LEFT JOIN participant_profile p ON p."user" = r."user" '
    "WHERE r.forum = {} AND r.anonymized_at IS NULL AND r.status IN ('confirmed', 'attended') "
)


class _DoorRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    badge_number: int | None
    status: str
    display_name: str
    #: Null without a profile.
    given_name: str | None
    family_name: str | None
    organization_name: str | None


def _entry(row: _DoorRow) -> DoorEntry:
    return DoorEntry(
        registration_id=row.id,
        badge_number=row.badge_number,
        given_name=row.given_name or "",
        family_name=row.family_name or "",
        display_name=row.display_name,
        organization=row.organization_name or "",
        status=status_label(row.status),
        checked_in=row.status == Status.ATTENDED.value,
    )


def _query_condition(query: str) -> Condition | None:
    """A badge number (digits, ``#12`` too) or the start of words of the person's names."""
    digits = query.lstrip("#").strip()
    if digits.isdigit():
        return Condition("r.badge_number = {}", (int(digits),))
    words = [word for word in search_form(query).replace("-", " ").split() if word][:5]
    if not words:
        return None
    # The profile's ``search_text`` holds names and organization, each word after a space.
    parts = [
        Condition(
            "(p.search_text LIKE {} OR ' ' || LOWER(u.display_name) LIKE {})",
            (f"% {word}%", f"% {word}%"),
        )
        for word in words
    ]
    return Condition(
        " AND ".join(part.sql for part in parts), tuple(arg for part in parts for arg in part.args)
    )


async def _count(forum_id: int) -> DoorCount:
    rows = await Registration.raw(
        "SELECT COALESCE(SUM(CASE WHEN status = 'attended' THEN 1 ELSE 0 END), 0) AS checked_in, "
        "COUNT(*) AS expected "
        "FROM registration WHERE forum = {} AND anonymized_at IS NULL "
        "AND status IN ('confirmed', 'attended')",
        forum_id,
    )
    return row_as(rows[0], DoorCount)


async def door_search(principal: Principal, slug: str, query: str = "") -> DoorSearch:
    """People holding a seat whose name starts with the words of ``query`` or whose badge
    number it is, by family name; and the running count (organizers)."""
    forum = await organized_forum(principal, slug)
    query = query.strip()[:MAX_QUERY]
    entries: list[DoorEntry] = []
    condition = _query_condition(query) if query else None
    if condition is not None:
        rows = await Registration.raw(
            _SELECT + f"AND ({condition.sql}) "
            "ORDER BY LOWER(p.family_name), LOWER(p.given_name), r.id LIMIT {}",
            forum.id,
            *condition.args,
            DOOR_RESULTS,
        )
        entries = [_entry(row) for row in rows_as(rows, _DoorRow)]
    first, last = check_in_days(forum)
    try:
        check_in_open(forum)
        is_open = True
    except Conflict:
        is_open = False
    return DoorSearch(
        query=query,
        entries=entries,
        count=await _count(forum.id),
        first_day=first,
        last_day=last,
        open=is_open,
    )


async def _door_entry(forum_id: int, registration_id: int) -> DoorEntry:
    rows = await Registration.raw(_SELECT + "AND r.id = {}", forum_id, registration_id)
    if not rows:
        raise NotFound("registration_not_found")
    return _entry(row_as(rows[0], _DoorRow))


async def _turn(
    principal: Principal, slug: str, registration_id: int, *, checked_in: bool
) -> DoorCheckIn:
    forum = await organized_forum(principal, slug)
    check_in_open(forum)
    wanted, other = (
        (Status.ATTENDED, Status.CONFIRMED) if checked_in else (Status.CONFIRMED, Status.ATTENDED)
    )
    async with db.transaction():
        await lock_desk(forum.id)
        row = (
            await Registration.select(*ROW_COLUMNS)
            .where(
                Registration.id == registration_id,
                Registration.forum == forum.id,
                Registration.anonymized_at.is_null(),
                Registration.status.is_in([status.value for status in SEATED]),
            )
            .first()
        )
        if row is None:
            raise NotFound("registration_not_found")
        if row["status"] == other.value:
            facts = await forum_facts(forum.id)
            # The welcome mail goes with a check-in; taking one back writes to nobody.
            await move(
                row_as(row, RegistrationRow),
                wanted,
                facts,
                actor=principal.user_id,
                mail=checked_in,
            )
    return DoorCheckIn(
        entry=await _door_entry(forum.id, registration_id), count=await _count(forum.id)
    )


async def check_in(principal: Principal, slug: str, registration_id: int) -> DoorCheckIn:
    """Check a person in (organizers, from the day before the forum to its last day)."""
    return await _turn(principal, slug, registration_id, checked_in=True)


async def undo_check_in(principal: Principal, slug: str, registration_id: int) -> DoorCheckIn:
    """Take a check-in back: the person holds a confirmed seat again."""
    return await _turn(principal, slug, registration_id, checked_in=False)
