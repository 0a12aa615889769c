"""Registrations as read: the SQL of the lists, their filters and search, the waiting line and
the people seated; rows turned into what the API shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import msgspec

from mupass_forum import db, pagination, regions
from mupass_forum.accounts.tables import User
from mupass_forum.errors import FieldError, InvalidInput, NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import stored_json
from mupass_forum.i18n import N_
from mupass_forum.participants.tables import Profile
from mupass_forum.participants.visibility import Condition
from mupass_forum.registrations import schemas
from mupass_forum.registrations.status import SEATED, Status, status_label
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import Moment, row_as, rows_as

# Reading registrations -------------------------------------------------------------------------

#: Other domains' tables the lists join, named by their own tables.
_USERS, _PROFILES = User._meta.tablename, Profile._meta.tablename

_LIST_SELECT = (
    'SELECT r.id, r."user" AS user_id, r.status, r.ticket, r.badge_number, r.arrival_date, '  # noqa: S608 (names from tables)
    "r.departure_date, r.dietary_needs, r.accessibility_needs, r.needs_visa_letter, "
    "r.travel_support_requested, r.interpretation_languages, r.answers, r.created_at, "
    "r.updated_at, "
    "u.display_name, u.email, p.given_name, p.family_name, p.organization_name, p.country, "
    "p.region, p.sub_region, p.stakeholder_group, p.government_level, "
    f"CASE WHEN r.status = '{Status.WAITLISTED.value}' THEN (SELECT COUNT(*) FROM registration w "
    f"WHERE w.forum = r.forum AND w.status = '{Status.WAITLISTED.value}' "
    "AND w.ticket <= r.ticket) END AS position "
    f'FROM registration r JOIN {_USERS} u ON u.id = r."user" '
    f'LEFT JOIN {_PROFILES} p ON p."user" = r."user" '
)


@dataclass(frozen=True, slots=True)
class RegistrationFilter:
    status: Status | None = None
    region: str | None = None
    country: str | None = None
    needs_visa_letter: bool | None = None
    travel_support_requested: bool | None = None
    #: Words each found in the name, e-mail address or institution; a number is a badge number.
    q: str | None = None
    #: Only registrations that asked for this.
    need: schemas.RegistrationNeed | None = None


#: Longest search text; longer ones are cut rather than refused.
SEARCH_LENGTH = 100

#: The columns a search looks in (LOWER on both sides: the same on both databases).
_SEARCHED = ("p.given_name", "p.family_name", "u.display_name", "u.email", "p.organization_name")

#: What "asked for" means for each need, as a condition on ``r``.
_NEEDS: Mapping[schemas.RegistrationNeed, str] = {
    schemas.RegistrationNeed.VISA_LETTER: "r.needs_visa_letter = {}",
    schemas.RegistrationNeed.TRAVEL_SUPPORT: "r.travel_support_requested = {}",
    # The JSON list as stored: "[]" when no language was asked for.
    schemas.RegistrationNeed.INTERPRETATION: (
        "(CAST(r.interpretation_languages AS TEXT) NOT IN ('[]', 'null')) = {}"
    ),
    schemas.RegistrationNeed.DIETARY: "(r.dietary_needs <> '') = {}",
    schemas.RegistrationNeed.ACCESSIBILITY: "(r.accessibility_needs <> '') = {}",
}


def search_words(text: str) -> list[tuple[str, str]]:
    """The words of a search (cut at ``SEARCH_LENGTH``), each with its ``LIKE`` pattern."""
    return [
        (word, "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%")
        for word in text.strip()[:SEARCH_LENGTH].split()
    ]


def _search_conditions(text: str) -> list[Condition]:
    """One condition per word: a number is a badge number, other words are looked for in the
    searched columns."""
    conditions = []
    for word, pattern in search_words(text):
        if word.isdigit():
            # Beyond any badge number (and the database's integers): nobody.
            badge = int(word) if len(word) < 10 else -1
            conditions.append(Condition("r.badge_number = {}", (badge,)))
            continue
        sql = " OR ".join(f"LOWER({column}) LIKE LOWER({{}})" for column in _SEARCHED)
        conditions.append(Condition(f"({sql})", (pattern,) * len(_SEARCHED)))
    return conditions


def check_region(code: str) -> None:
    """Refuse a filter by a region M49 does not know (the query parameter ``region``)."""
    if not regions.is_region(code):
        raise InvalidInput(
            FieldError(
                N_("There is no region with the code {code}."),
                "unknown_region",
                parameter="region",
                params={"code": code},
            )
        )


def filter_conditions(given: RegistrationFilter) -> list[Condition]:
    # An erased person's registration still counts in the statistics, but is listed nowhere.
    conditions: list[Condition] = [Condition("r.anonymized_at IS NULL", ())]
    if given.status is not None:
        conditions.append(Condition("r.status = {}", (given.status.value,)))
    if given.region is not None:
        check_region(given.region)
        conditions.append(
            Condition("(p.region = {} OR p.sub_region = {})", (given.region, given.region))
        )
    if given.country is not None:
        conditions.append(Condition("p.country = {}", (given.country.strip().upper(),)))
    for name in ("needs_visa_letter", "travel_support_requested"):
        value = getattr(given, name)
        if value is not None:
            conditions.append(Condition(f"r.{name} = {{}}", (value,)))
    if given.need is not None:
        conditions.append(Condition(_NEEDS[given.need], (True,)))
    if given.q:
        conditions += _search_conditions(given.q)
    return conditions


class PersonColumns(msgspec.Struct, frozen=True, kw_only=True):
    """The account and profile columns a registration's person is read from (null without a
    profile)."""

    user_id: int
    display_name: str
    email: str
    given_name: str | None
    family_name: str | None
    organization_name: str | None
    country: str | None
    region: str | None
    sub_region: str | None
    stakeholder_group: str | None
    government_level: str | None


class ListRow(PersonColumns, frozen=True, kw_only=True):
    """A row of ``_LIST_SELECT``."""

    id: int
    status: str
    #: Null when never waitlisted.
    ticket: int | None
    badge_number: int | None
    arrival_date: date | None
    departure_date: date | None
    dietary_needs: str
    accessibility_needs: str
    needs_visa_letter: bool
    travel_support_requested: bool
    #: JSON as the database hands it back (text on SQLite); read by ``stored_json``.
    interpretation_languages: object
    answers: object
    created_at: Moment
    updated_at: Moment
    position: int | None


def person_of(row: PersonColumns) -> schemas.Person:
    country, region = row.country, row.region
    return schemas.Person(
        user_id=row.user_id,
        display_name=row.display_name,
        email=row.email,
        given_name=row.given_name or "",
        family_name=row.family_name or "",
        organization=row.organization_name or "",
        country=country,
        country_name=regions.name(country) if country else None,
        region=region,
        region_name=regions.name(region) if region else None,
        sub_region=row.sub_region,
        stakeholder_group=row.stakeholder_group,
        government_level=row.government_level,
    )


def registration_of(slug: str, row: ListRow) -> schemas.Registration:
    return schemas.Registration(
        id=row.id,
        forum=slug,
        person=person_of(row),
        status=status_label(row.status),
        position=row.position,
        badge_number=row.badge_number,
        arrival_date=row.arrival_date,
        departure_date=row.departure_date,
        dietary_needs=row.dietary_needs,
        accessibility_needs=row.accessibility_needs,
        needs_visa_letter=row.needs_visa_letter,
        travel_support_requested=row.travel_support_requested,
        interpretation_languages=list(stored_json(row.interpretation_languages) or []),
        answers=dict(stored_json(row.answers) or {}),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def registration_rows(
    where: Sequence[Condition], order: str, limit: int | None
) -> list[ListRow]:
    sql = _LIST_SELECT + "WHERE " + " AND ".join(f"({c.sql})" for c in where) + f" ORDER BY {order}"
    args = [arg for c in where for arg in c.args]
    if limit is not None:
        sql += " LIMIT {}"
        args.append(limit)
    return rows_as(await Registration.raw(sql, *args), ListRow)


async def registration_view(forum: ForumRef, registration_id: int) -> schemas.Registration:
    row = (await rows_by_id([registration_id])).get(registration_id)
    if row is None:
        raise NotFound("registration_not_found")
    return registration_of(forum.slug, row)


async def rows_by_id(registration_ids: Sequence[int]) -> dict[int, ListRow]:
    """The rows ``registration_view`` shows, by id, in one read (a batch's answers at once).
    Rows by their key: inline on SQLite, an answer need not queue for a reader thread."""
    if not registration_ids:
        return {}
    clause, args = db.one_of(sorted(set(registration_ids)))
    rows = await db.read_indexed(_LIST_SELECT + f"WHERE r.id {clause}", *args)
    return {row.id: row for row in rows_as(rows, ListRow)}


def encode_id_cursor(value: int) -> str:
    """A keyset cursor over one integer column (also for the lists of the domains built on
    registrations)."""
    return pagination.encode_cursor([value])


def decode_id_cursor(cursor: str) -> int:
    (value,) = pagination.decode_cursor(cursor, tuple[int])
    return value


async def registration_page(
    forum: ForumRef,
    where: list[Condition],
    key: Literal["id", "ticket"],
    cursor: str | None,
    limit: int,
) -> schemas.RegistrationPage:
    """One page ordered by the column ``key`` of ``r`` (unique within a forum's page)."""
    if cursor is not None:
        where = [*where, Condition(f"r.{key} > {{}}", (decode_id_cursor(cursor),))]
    rows = await registration_rows(where, f"r.{key}", limit + 1)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        # Ordered by ticket only among the waitlisted, who all hold one.
        value = page[-1].ticket if key == "ticket" else page[-1].id
        next_cursor = None if value is None else encode_id_cursor(value)
    return schemas.RegistrationPage(
        items=[registration_of(forum.slug, row) for row in page], next_cursor=next_cursor
    )


ROW_COLUMNS = (
    Registration.id,
    Registration.forum,
    Registration.user,
    Registration.status,
    Registration.ticket,
    Registration.badge_number,
)


class RegistrationRow(msgspec.Struct, frozen=True, kw_only=True):
    """A registration as ``ROW_COLUMNS`` read it: what the desk needs to move it."""

    id: int
    forum: int
    user: int
    status: Status
    ticket: int | None
    badge_number: int | None


async def own_row(forum: ForumRef, user_id: int) -> RegistrationRow:
    row = (
        await Registration.select(*ROW_COLUMNS)
        .where(Registration.forum == forum.id, Registration.user == user_id)
        .first()
    )
    if row is None:
        raise NotFound(
            "registration_not_found", N_("There is no registration of yours for this forum.")
        )
    return row_as(row, RegistrationRow)


# Promotion from the waiting list ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Waiting:
    row: RegistrationRow
    areas: frozenset[str]


async def waiting_line(forum_id: int) -> list[Waiting]:
    rows = await Registration.raw(
        'SELECT r.id, r.forum, r."user", r.status, r.ticket, r.badge_number, '  # noqa: S608 (names from tables)
        "p.region, p.sub_region FROM registration r "
        f'LEFT JOIN {_PROFILES} p ON p."user" = r."user" '
        "WHERE r.forum = {} AND r.status = {} ORDER BY r.ticket, r.id",
        forum_id,
        Status.WAITLISTED.value,
    )
    return [
        Waiting(
            row=row_as(row, RegistrationRow),
            areas=frozenset(code for code in (row["region"], row["sub_region"]) if code),
        )
        for row in rows
    ]


class _AreaCount(msgspec.Struct, frozen=True, kw_only=True):
    region: str | None
    sub_region: str | None
    n: int


async def seated_by_area(forum_id: int) -> tuple[Counter[str], int]:
    """Seated people per M49 region and sub-region (each person counts in both), and in all."""
    rows = await Registration.raw(
        "SELECT p.region, p.sub_region, COUNT(*) AS n FROM registration r "  # noqa: S608 (names from tables)
        f'LEFT JOIN {_PROFILES} p ON p."user" = r."user" '
        "WHERE r.forum = {} AND r.status IN ({}, {}) GROUP BY p.region, p.sub_region",
        forum_id,
        *(status.value for status in SEATED),
    )
    held: Counter[str] = Counter()
    total = 0
    for row in rows_as(rows, _AreaCount):
        count = row.n
        total += count
        for code in (row.region, row.sub_region):
            if code:
                held[code] += count
    return held, total


# Attendance, for the participant directory -----------------------------------------------------


class RegisteredAttendance:
    """Who attends a forum: people holding a seat (confirmed or attended).

    Waitlisted, pending, declined and cancelled registrations do not count: someone who may
    never come does not get to see the profiles of those who do.
    """

    async def forums_of(self, user_id: int) -> frozenset[int]:
        rows = await Registration.select(Registration.forum).where(
            Registration.user == user_id,
            Registration.status.is_in([status.value for status in SEATED]),
        )
        return frozenset(int(row["forum"]) for row in rows)

    def attendees_of(self, forum_ids: frozenset[int]) -> Condition:
        ids = sorted(forum_ids)
        marks = ", ".join("{}" for _ in ids)
        return Condition(
            'p."user" IN (SELECT a."user" FROM registration a '  # noqa: S608 (placeholders only)
            f"WHERE a.forum IN ({marks}) AND a.status IN ({', '.join('{}' for _ in SEATED)}))",
            (*ids, *(status.value for status in SEATED)),
        )
