"""A forum's programme: items checked against the forum's dates in its time zone, grouped by
local day for the reader. Queries and rules, like ``services``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from msgspec import UnsetType

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.errors import FieldError, NotFound
from mupass_forum.forums import schemas
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.checks import InputChecks, language_problem, original_locale_problems
from mupass_forum.forums.queries import (
    editable_forum,
    languages_of,
    stored_json,
    stored_text,
    visible_forum_with,
)
from mupass_forum.forums.tables import ProgrammeItem
from mupass_forum.forums.terms import (
    MAX_TEXT,
    MAX_TITLE,
    PROGRAMME_KIND_LABELS,
    forum_day_bounds,
    label_of,
)
from mupass_forum.i18n import N_, format_date, format_time, use_locale
from mupass_forum.i18n.locale import current_locale
from mupass_forum.i18n.text import KeptForReaders, TranslatableText, localize_stored

_COLUMNS = (
    "id", "kind", "title", "description", "starts_at", "ends_at", "room", "capacity", "speakers",
    "language", "interpretation", "track",
)  # fmt: skip
_ITEMS = f"SELECT {', '.join(_COLUMNS)} FROM forum_programme_item WHERE forum = {{}} "  # noqa: S608
#: The items' columns joined to their forum (``visible_forum_with``), each named ``i_...``.
_JOINED = ", ".join(f"i.{name} AS i_{name}" for name in _COLUMNS)


async def programme_rows(forum_id: int) -> list[Mapping[str, Any]]:
    """The items of a forum in the order they happen (also for the calendar)."""
    return await db.read_indexed(_ITEMS + "ORDER BY starts_at, id", forum_id)


#: Items as readers got them: building them (texts, times, language names) was most of a
#: programme's CPU time.
_kept_items: KeptForReaders[schemas.ProgrammeItem] = KeptForReaders()


def _item(row: Mapping[str, Any], zone: ZoneInfo) -> schemas.ProgrammeItem:
    """An item for the reader; call it inside ``use_locale(..., zone)``."""
    return _kept_items.get(row, lambda: _new_item(row, zone), zone.key)


def _new_item(row: Mapping[str, Any], zone: ZoneInfo) -> schemas.ProgrammeItem:
    title = localize_stored(row["title"])
    assert title is not None
    starts_at = row["starts_at"].astimezone(zone)
    ends_at = row["ends_at"].astimezone(zone)
    language = row["language"]
    return schemas.ProgrammeItem(
        id=row["id"],
        kind=label_of(row["kind"], PROGRAMME_KIND_LABELS),
        title=title,
        description=localize_stored(row["description"]),
        starts_at=starts_at,
        ends_at=ends_at,
        starts=format_time(starts_at),
        ends=format_time(ends_at),
        room=row["room"],
        capacity=row["capacity"],
        speakers=[schemas.Speaker(**speaker) for speaker in stored_json(row["speakers"])],
        language=languages_of([{"code": language}])[0] if language else None,
        interpretation=[
            schemas.Language(code=language.code, name=language.name, interpretation=True)
            for language in languages_of(
                {"code": code} for code in stored_json(row["interpretation"])
            )
        ],
        track=row["track"],
    )


def items_for_reader(
    rows: Sequence[Mapping[str, Any]], zone: ZoneInfo
) -> list[schemas.ProgrammeItem]:
    """Items (rows of ``programme_rows``) in the reader's language and the forum's zone."""
    with use_locale(current_locale(), zone):
        return [_item(row, zone) for row in rows]


async def get_programme(
    principal: Principal, slug: str, zone: ZoneInfo | None = None
) -> schemas.Programme:
    """The programme by day in ``zone``: the forum's own unless a reader's is given (pages
    show times where the reader is)."""
    forum, joined = await visible_forum_with(
        principal,
        slug,
        _JOINED,
        "LEFT JOIN forum_programme_item i ON i.forum = f.id",
        "i.starts_at, i.id",
    )
    zone = zone or ZoneInfo(forum.timezone)
    rows = [{name: row[f"i_{name}"] for name in _COLUMNS} for row in joined if row["i_id"]]
    days: list[schemas.ProgrammeDay] = []
    with use_locale(current_locale(), zone):
        for row in rows:
            item = _item(row, zone)
            day = item.starts_at.date()
            if not days or days[-1].date != day:
                days.append(schemas.ProgrammeDay(date=day, label=format_date(day), items=[]))
            days[-1].items.append(item)
    return schemas.Programme(forum=forum.slug, timezone=zone.key, days=days)


async def _item_row(forum: ForumRef, item_id: int) -> Mapping[str, Any]:
    rows = await db.read_indexed(_ITEMS + "AND id = {}", forum.id, item_id)
    if not rows:
        raise NotFound("programme_item_not_found")
    return rows[0]


async def _one_item(forum: ForumRef, item_id: int) -> schemas.ProgrammeItem:
    (item,) = items_for_reader([await _item_row(forum, item_id)], ZoneInfo(forum.timezone))
    return item


async def item_texts(
    principal: Principal, slug: str, item_id: int
) -> tuple[schemas.ProgrammeItem, dict[str, TranslatableText | None]]:
    """An item as it reads in the forum's zone, and its title and description in every
    language they are written in (for those who edit the forum)."""
    forum = await editable_forum(principal, slug)
    row = await _item_row(forum, item_id)
    (item,) = items_for_reader([row], ZoneInfo(forum.timezone))
    return item, {name: stored_text(row[name]) for name in ("title", "description")}


async def _check_item(
    forum: ForumRef,
    data: schemas.ProgrammeItemCreate | schemas.ProgrammeItemUpdate,
    current: Mapping[str, Any] | None,
) -> dict[str, Any]:
    changes = InputChecks(current)
    zone = ZoneInfo(forum.timezone)
    changes.problems += original_locale_problems(data.original_locale)
    changes.text("title", data.title, data.original_locale, required=True, max_length=MAX_TITLE)
    changes.text(
        "description", data.description, data.original_locale, required=False, max_length=MAX_TEXT
    )
    changes.instant("starts_at", data.starts_at, zone)
    changes.instant("ends_at", data.ends_at, zone)
    if not isinstance(data.kind, UnsetType):
        changes.values["kind"] = data.kind.value
    for name in ("room", "track"):
        if not isinstance(value := getattr(data, name), UnsetType):
            changes.values[name] = value.strip()
    if not isinstance(data.capacity, UnsetType):
        changes.values["capacity"] = data.capacity
    if not isinstance(data.language, UnsetType):
        if data.language is not None:
            changes.problem(language_problem(data.language, "/language"))
        changes.values["language"] = data.language or ""
    if not isinstance(data.interpretation, UnsetType):
        for index, code in enumerate(data.interpretation):
            changes.problem(language_problem(code, f"/interpretation/{index}"))
        changes.values["interpretation"] = list(dict.fromkeys(data.interpretation))
    if not isinstance(data.speakers, UnsetType):
        await _check_speakers(changes, data.speakers)
    starts_at, ends_at = changes.final("starts_at"), changes.final("ends_at")
    if starts_at is not None and ends_at is not None:
        lower, upper = forum_day_bounds(forum.starts_at, forum.ends_at, zone)
        if ends_at <= starts_at:
            changes.problem(
                FieldError(
                    N_("The end must be after the start."), "ends_before_start", pointer="/ends_at"
                )
            )
        for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
            if not lower <= value <= upper:
                changes.problem(
                    FieldError(
                        N_("This is outside the dates of the forum ({dates}, {zone})."),
                        "outside_forum_dates",
                        pointer=f"/{name}",
                        params={"dates": _ForumDates(forum, zone), "zone": zone.key},
                    )
                )
    changes.raise_problems()
    return changes.values


class _ForumDates:
    """The forum's dates, formatted when the error is rendered in the reader's language."""

    def __init__(self, forum: ForumRef, zone: ZoneInfo) -> None:
        self.first = forum.starts_at.astimezone(zone).date()
        self.last = forum.ends_at.astimezone(zone).date()

    def __format__(self, spec: str) -> str:
        from mupass_forum.i18n import format_date_interval

        return format_date_interval(self.first, self.last)


async def _check_speakers(changes: InputChecks, speakers: Sequence[schemas.SpeakerInput]) -> None:
    """The speakers sent; those linked from proposals are kept, as their proposals made them.

    Linked speakers come and go with their proposals (``proposals.services``): an entry sent
    with a ``proposal_id`` keeps the linked speaker at its place, a list sent without them keeps
    them at its end, and a ``proposal_id`` that is not linked here is refused.
    """
    linked = {
        entry["proposal_id"]: entry
        for entry in stored_json(changes.current.get("speakers") or "[]")
        if entry.get("proposal_id") is not None
    }
    accounts = {speaker.user_id for speaker in speakers if speaker.user_id is not None}
    known = (
        {row["id"] for row in await User.select(User.id).where(User.id.is_in(list(accounts)))}
        if accounts
        else set()
    )
    kept: list[dict[str, Any]] = []
    for index, speaker in enumerate(speakers):
        if speaker.proposal_id is not None:
            entry = linked.pop(speaker.proposal_id, None)
            if entry is None:
                changes.problem(
                    FieldError(
                        N_("Speakers from proposals join an item when the proposal is linked."),
                        "proposal_not_linked",
                        pointer=f"/speakers/{index}/proposal_id",
                    )
                )
            else:
                kept.append(entry)
            continue
        if speaker.user_id is not None and speaker.user_id not in known:
            changes.problem(
                FieldError(
                    N_("There is no account with this id."),
                    "unknown_account",
                    pointer=f"/speakers/{index}/user_id",
                )
            )
        kept.append(
            {
                "name": speaker.name.strip(),
                "organization": speaker.organization.strip(),
                "user_id": speaker.user_id,
            }
        )
    changes.values["speakers"] = kept + list(linked.values())


async def create_item(
    principal: Principal, slug: str, data: schemas.ProgrammeItemCreate
) -> schemas.ProgrammeItem:
    forum = await editable_forum(principal, slug)
    values = await _check_item(forum, data, None)
    stamp = now()
    rows = await ProgrammeItem.insert(
        ProgrammeItem(forum=forum.id, created_at=stamp, updated_at=stamp, **values)
    ).returning(ProgrammeItem.id)
    return await _one_item(forum, int(rows[0]["id"]))


async def update_item(
    principal: Principal, slug: str, item_id: int, data: schemas.ProgrammeItemUpdate
) -> schemas.ProgrammeItem:
    forum = await editable_forum(principal, slug)
    async with db.transaction():
        current = (
            await ProgrammeItem.select()
            .where(ProgrammeItem.id == item_id, ProgrammeItem.forum == forum.id)
            .first()
        )
        if current is None:
            raise NotFound("programme_item_not_found")
        values = await _check_item(forum, data, current)
        if values:
            values["updated_at"] = now()
            await ProgrammeItem.update(
                {getattr(ProgrammeItem, name): value for name, value in values.items()}
            ).where(ProgrammeItem.id == item_id)
    return await _one_item(forum, item_id)


async def delete_item(principal: Principal, slug: str, item_id: int) -> None:
    forum = await editable_forum(principal, slug)
    deleted = (
        await ProgrammeItem.delete()
        .where(ProgrammeItem.id == item_id, ProgrammeItem.forum == forum.id)
        .returning(ProgrammeItem.id)
    )
    if not deleted:
        raise NotFound("programme_item_not_found")
