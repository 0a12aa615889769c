"""Forums, their series, lifecycle, roles and programme: every query and rule.

Other domains find a forum with ``forum_ref(slug)`` (or ``forum_ref_by_id``) and check the
rules of ``forums.authorization`` against it; neither loads texts.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from babel.core import Locale
from babel.support import LazyProxy
from msgspec import UNSET, UnsetType

from mupass_forum import db, pagination
from mupass_forum.accounts.authorization import as_signed_in, authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import Organization, User
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, FieldError, InvalidInput, NotFound
from mupass_forum.forums import schemas
from mupass_forum.forums.authorization import (
    ForumRef,
    creates_forum_for,
    creates_series,
    edits_forum,
    sees_forum,
)
from mupass_forum.forums.tables import Forum, ForumPartner, ForumRole, ForumSeries, ProgrammeItem
from mupass_forum.i18n import (
    N_,
    NC_,
    format_date_interval,
    format_time,
    gettext,
    language_name,
    use_locale,
)
from mupass_forum.i18n.locale import babel_locale, current_locale
from mupass_forum.i18n.text import (
    LocalizedText,
    TranslatableText,
    localize_stored,
    text_problems,
)
from mupass_forum.validation import country_problem, is_time_zone, timezone_problem

ForumStatus = schemas.ForumStatus
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
MAX_TITLE = 300
MAX_TEXT = 20_000

# Labels ----------------------------------------------------------------------------------------

FORUM_KIND_LABELS: Mapping[schemas.ForumKind, str] = {
    schemas.ForumKind.DIALOGUE_FORUM: N_("Dialogue forum"),
    schemas.ForumKind.NETWORK_MEETING: N_("Network meeting"),
    schemas.ForumKind.STAKEHOLDER_FORUM: N_("Stakeholder forum"),
    schemas.ForumKind.WORKSHOP: N_("Workshop"),
}

STATUS_LABELS: Mapping[ForumStatus, str] = {
    ForumStatus.DRAFT: NC_("forum status", "Draft"),
    # i18n: "Save the date": the forum is announced and interest is collected.
    ForumStatus.ANNOUNCED: NC_("forum status", "Announced"),
    ForumStatus.REGISTRATION_OPEN: NC_("forum status", "Registration open"),
    ForumStatus.REGISTRATION_CLOSED: NC_("forum status", "Registration closed"),
    ForumStatus.HELD: NC_("forum status", "Held"),
    ForumStatus.ARCHIVED: NC_("forum status", "Archived"),
    ForumStatus.CANCELLED: NC_("forum status", "Cancelled"),
}

ROLE_LABELS: Mapping[schemas.ForumRoleName, str] = {
    schemas.ForumRoleName.ORGANIZER: N_("Organizer"),
    schemas.ForumRoleName.MODERATOR: N_("Moderator"),
    schemas.ForumRoleName.PHOTOGRAPHER: N_("Photographer"),
}

PROGRAMME_KIND_LABELS: Mapping[schemas.ProgrammeItemKind, str] = {
    schemas.ProgrammeItemKind.PLENARY: N_("Plenary"),
    schemas.ProgrammeItemKind.PANEL: N_("Panel"),
    # i18n: A programme item where participants work together on a topic.
    schemas.ProgrammeItemKind.WORKSHOP: N_("Workshop session"),
    schemas.ProgrammeItemKind.BREAKOUT_SESSION: N_("Break-out session"),
    schemas.ProgrammeItemKind.NETWORKING: N_("Networking"),
    schemas.ProgrammeItemKind.WARM_UP: N_("Warm-up"),
    schemas.ProgrammeItemKind.BREAK: N_("Break"),
}


def label_of(value: str, labels: Mapping[Any, str]) -> schemas.Label:
    return schemas.Label(value=value, label=gettext(labels[value]))


def status_name(status: ForumStatus) -> LazyProxy:
    """The status's label, translated when the text it is put in is rendered."""
    return LazyProxy(gettext, STATUS_LABELS[status], enable_cache=False)


# Lifecycle -------------------------------------------------------------------------------------

#: The only ways a forum's status may change.
TRANSITIONS: Mapping[ForumStatus, frozenset[ForumStatus]] = {
    ForumStatus.DRAFT: frozenset({ForumStatus.ANNOUNCED, ForumStatus.CANCELLED}),
    ForumStatus.ANNOUNCED: frozenset({ForumStatus.REGISTRATION_OPEN, ForumStatus.CANCELLED}),
    ForumStatus.REGISTRATION_OPEN: frozenset(
        {ForumStatus.REGISTRATION_CLOSED, ForumStatus.CANCELLED}
    ),
    # Reopening lets organizers fill seats that were given back.
    ForumStatus.REGISTRATION_CLOSED: frozenset(
        {ForumStatus.REGISTRATION_OPEN, ForumStatus.HELD, ForumStatus.CANCELLED}
    ),
    ForumStatus.HELD: frozenset({ForumStatus.ARCHIVED}),
    ForumStatus.CANCELLED: frozenset({ForumStatus.ARCHIVED}),
    ForumStatus.ARCHIVED: frozenset(),
}


# Times -----------------------------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo | None:
    return ZoneInfo(name) if is_time_zone(name) else None


def to_utc(value: datetime, zone: ZoneInfo, pointer: str) -> datetime | FieldError:
    """An instant from an ISO time: with an offset as given, without one local in ``zone``.

    A local time that the clocks skip (02:30 when summer time begins) does not exist and is
    refused rather than silently moved by an hour.
    """
    if value.tzinfo is not None:
        return value.astimezone(UTC)
    local = value.replace(tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != value:
        return FieldError(
            N_("This local time does not exist in {zone}: the clocks skip it."),
            "nonexistent_local_time",
            pointer=pointer,
            params={"zone": zone.key},
        )
    return instant


def forum_day_bounds(
    starts_at: datetime, ends_at: datetime, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """From local midnight of the forum's first day to local midnight after its last day."""
    first = starts_at.astimezone(zone).date()
    last = ends_at.astimezone(zone).date()
    lower = datetime.combine(first, time(), tzinfo=zone).astimezone(UTC)
    upper = datetime.combine(last + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
    return lower, upper


# Cursors ---------------------------------------------------------------------------------------


def encode_cursor(starts_at: datetime, forum_id: int) -> str:
    return pagination.encode_cursor([starts_at.astimezone(UTC).isoformat(), forum_id])


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    stamp, forum_id = pagination.decode_cursor(cursor, tuple[str, int])
    try:
        return datetime.fromisoformat(stamp), forum_id
    except ValueError as exc:
        raise pagination.invalid_cursor() from exc


# Listeners -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ForumChange:
    """A change to a forum, told to listeners inside the transaction that makes it."""

    #: The forum as it was before the change.
    before: ForumRef
    #: The columns that change and their new values (``status`` as a ``ForumStatus``).
    changes: Mapping[str, Any]
    #: Who makes the change (None: the service itself).
    actor: int | None = None


ForumListener = Callable[[ForumChange], Awaitable[None]]
_listeners: list[ForumListener] = []


def on_forum_change(listener: ForumListener) -> Callable[[], None]:
    """Call ``listener`` for every status change and edit of a forum; returns its removal.

    Listeners run inside the change's transaction, so what they write commits or rolls back
    with it, and an exception they raise undoes the change. Domains built on forums use this to
    react (registrations send invitations when registration opens) without forums knowing
    them. Adding the same listener twice keeps one.
    """
    if listener not in _listeners:
        _listeners.append(listener)

    def remove() -> None:
        if listener in _listeners:
            _listeners.remove(listener)

    return remove


async def _tell_listeners(before: ForumRef, changes: Mapping[str, Any], actor: int | None) -> None:
    for listener in list(_listeners):
        await listener(ForumChange(before=before, changes=changes, actor=actor))


# Reading forums --------------------------------------------------------------------------------


def stored_json(value: Any) -> Any:
    return msgspec.json.decode(value) if isinstance(value, str | bytes) else value


def _ref(row: Mapping[str, Any], partner_ids: Iterable[int]) -> ForumRef:
    return ForumRef(
        id=row["id"],
        slug=row["slug"],
        status=ForumStatus(row["status"]),
        lead_organization_id=row["lead_organization"],
        partner_organization_ids=frozenset(partner_ids),
        timezone=row["timezone"],
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        capacity=row["capacity"],
        interest_deadline=row["interest_deadline"],
        registration_opens_at=row["registration_opens_at"],
        registration_closes_at=row["registration_closes_at"],
    )


# The hot reads (a forum, the list, the programme) are one statement each, written once: a
# forum's partners come with it as JSON, and Piccolo does not build the query per request.
_REF_SQL = (
    "f.id, f.slug, f.status, f.lead_organization, f.timezone, f.starts_at, f.ends_at, "
    "f.capacity, f.interest_deadline, f.registration_opens_at, f.registration_closes_at"
)
_FORUM_SQL = (
    f"SELECT {_REF_SQL}, "  # noqa: S608
    "s.slug AS series_slug, s.name AS series_name, f.edition, f.kind, "
    "f.title, f.summary, f.venue_name, f.venue_address, f.venue_room, f.venue_city, "
    "f.venue_country, f.languages, o.name AS lead_organization_name, f.contact_email, "
    "{partners} AS partners{extra} FROM forum f JOIN forum_series s ON s.id = f.series "
    "JOIN account_organization o ON o.id = f.lead_organization "
)
#: ``[[id, name], ...]`` of a forum's partner organizations by name, as JSON text.
_PARTNERS_SQL = {
    "sqlite": (
        "(SELECT json_group_array(json_array(id, name)) FROM (SELECT po.id, po.name "
        "FROM forum_partner fp JOIN account_organization po ON po.id = fp.organization "
        "WHERE fp.forum = f.id ORDER BY po.name, po.id))"
    ),
    "postgres": (
        "(SELECT coalesce(json_agg(json_build_array(po.id, po.name) ORDER BY po.name, po.id), "
        "'[]')::text FROM forum_partner fp JOIN account_organization po "
        "ON po.id = fp.organization WHERE fp.forum = f.id)"
    ),
}


def _forum_sql(extra: str = "") -> str:
    engine_type = "postgres" if db.is_postgres() else "sqlite"
    return _FORUM_SQL.format(partners=_PARTNERS_SQL[engine_type], extra=extra)


def _partner_refs(row: Mapping[str, Any]) -> list[schemas.OrganizationRef]:
    return [
        schemas.OrganizationRef(id=int(org_id), name=name)
        for org_id, name in msgspec.json.decode(row["partners"] or "[]")
    ]


async def _forum_row(column: str, value: Any, extra: str = "") -> Mapping[str, Any]:
    rows = await db.read_indexed(_forum_sql(extra) + f"WHERE f.{column} = {{}}", value)
    if not rows:
        raise NotFound("forum_not_found")
    return rows[0]


def _ref_of(row: Mapping[str, Any], partners: list[schemas.OrganizationRef]) -> ForumRef:
    return _ref(row, (partner.id for partner in partners))


async def _ref_where(column: str, value: Any) -> ForumRef:
    row = await _forum_row(column, value)
    return _ref_of(row, _partner_refs(row))


async def forum_ref(slug: str) -> ForumRef:
    """The forum called ``slug`` for rules and other domains; ``NotFound`` if there is none.

    It does not check visibility: use ``visible_forum`` (or ``sees_forum``) for that.
    """
    return await _ref_where("slug", slug)


async def forum_ref_by_id(forum_id: int) -> ForumRef:
    return await _ref_where("id", forum_id)


async def visible_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller may see it; a draft is a 404 to others."""
    forum = await forum_ref(slug)
    await authorize(principal, sees_forum, forum, hide=True)
    return forum


async def editable_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller edits it (404 for a draft they cannot see)."""
    forum = await visible_forum(principal, slug)
    await authorize(principal, edits_forum, forum)
    return forum


async def organized_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller edits it; to everyone else, the organizer's
    desk (the door, mail to participants) does not exist: 404, not 403."""
    forum = await forum_ref(slug)
    await authorize(principal, edits_forum, forum, hide=True)
    return forum


def _in_zone(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    return value.astimezone(zone) if value is not None else None


def languages_of(entries: Iterable[Mapping[str, Any]]) -> list[schemas.Language]:
    return [
        schemas.Language(
            code=entry["code"],
            name=language_name(entry["code"]),
            interpretation=bool(entry.get("interpretation", False)),
        )
        for entry in entries
    ]


def _forum(
    row: Mapping[str, Any],
    partners: list[schemas.OrganizationRef],
    description: LocalizedText | None = None,
) -> schemas.Forum:
    zone = ZoneInfo(row["timezone"])
    starts_at = row["starts_at"].astimezone(zone)
    ends_at = row["ends_at"].astimezone(zone)
    country = row["venue_country"]
    with use_locale(current_locale(), zone):
        local = schemas.LocalTimes(
            dates=format_date_interval(starts_at.date(), ends_at.date()),
            starts=format_time(starts_at),
            ends=format_time(ends_at),
        )
    title = localize_stored(row["title"])
    series_name = localize_stored(row["series_name"])
    assert title is not None and series_name is not None
    return schemas.Forum(
        id=row["id"],
        slug=row["slug"],
        series=schemas.Series(slug=row["series_slug"], name=series_name),
        edition=row["edition"],
        kind=label_of(row["kind"], FORUM_KIND_LABELS),
        status=label_of(row["status"], STATUS_LABELS),
        title=title,
        summary=localize_stored(row["summary"]),
        description=description,
        venue=schemas.Venue(
            name=row["venue_name"],
            address=row["venue_address"],
            room=row["venue_room"],
            city=row["venue_city"],
            country=country,
            country_name=babel_locale().territories.get(country, country) if country else "",
        ),
        timezone=row["timezone"],
        starts_at=starts_at,
        ends_at=ends_at,
        local=local,
        capacity=row["capacity"],
        interest_deadline=_in_zone(row["interest_deadline"], zone),
        registration_opens_at=_in_zone(row["registration_opens_at"], zone),
        registration_closes_at=_in_zone(row["registration_closes_at"], zone),
        languages=languages_of(stored_json(row["languages"])),
        lead_organization=schemas.OrganizationRef(
            id=row["lead_organization"], name=row["lead_organization_name"]
        ),
        partner_organizations=partners,
        contact_email=row["contact_email"],
    )


async def get_forum(principal: Principal, slug: str) -> schemas.Forum:
    """One forum with its description; drafts only for those who edit them."""
    row = await _forum_row("slug", slug, extra=", f.description")
    partners = _partner_refs(row)
    await authorize(principal, sees_forum, _ref_of(row, partners), hide=True)
    return _forum(row, partners, localize_stored(row["description"]))


#: The translatable texts of a forum, by field.
FORUM_TEXTS = ("title", "summary", "description")


async def forum_texts(principal: Principal, slug: str) -> dict[str, TranslatableText | None]:
    """A forum's texts in every language they are written in (for those who edit it)."""
    forum = await editable_forum(principal, slug)
    row = (
        await Forum.select(Forum.title, Forum.summary, Forum.description)
        .where(Forum.id == forum.id)
        .first()
    )
    if row is None:
        raise NotFound("forum_not_found")
    return {name: stored_text(row[name]) for name in FORUM_TEXTS}


def stored_text(value: Any) -> TranslatableText | None:
    """A text column's value as a ``TranslatableText`` (None for an empty column)."""
    return TranslatableText.from_json(value) if value else None


async def _draft_forum_ids(principal: Principal) -> list[int]:
    """Forums the caller edits through a partner organization or as organizer (drafts count)."""
    principal = as_signed_in(principal)
    ids = [
        row["forum"]
        for row in await ForumRole.select(ForumRole.forum).where(
            ForumRole.user == principal.user_id,
            ForumRole.role == schemas.ForumRoleName.ORGANIZER.value,
        )
    ]
    admin_of = _admin_organizations(principal)
    if admin_of:
        ids += [
            row["forum"]
            for row in await ForumPartner.select(ForumPartner.forum).where(
                ForumPartner.organization.is_in(admin_of)
            )
        ]
    return ids


def _admin_organizations(principal: Principal) -> list[int]:
    return [org for org, role in principal.organization_roles.items() if role == "admin"]


async def visible_forums_condition(principal: Principal, forum: Any = Forum) -> Any | None:
    """A ``where`` condition keeping the forums the caller may see (None: every forum).

    ``forum`` is ``Forum`` itself or a foreign key to it (``ProgrammeItem.forum``), so that
    other domains filter their rows by the visibility of their forum in the same query.
    """
    if principal.is_platform_admin:
        return None
    forum_id = forum.id if forum is Forum else forum
    visible: Any = forum.status != ForumStatus.DRAFT.value
    if principal.is_authenticated:
        admin_of = _admin_organizations(principal)
        if admin_of:
            visible |= forum.lead_organization.is_in(admin_of)
        draft_ids = await _draft_forum_ids(principal)
        if draft_ids:
            visible |= forum_id.is_in(draft_ids)
    return visible


@dataclass(frozen=True)
class ForumFilters:
    status: ForumStatus | None = None
    series: str | None = None
    year: int | None = None
    when: schemas.When | None = None
    country: str | None = None


async def _visible_forums_sql(principal: Principal) -> tuple[str, list[Any]]:
    """``visible_forums_condition`` as SQL on ``forum f`` (empty: every forum), in the
    list's own statement."""
    if principal.is_platform_admin:
        return "", []
    conditions: list[str] = ["f.status <> {}"]
    args: list[Any] = [ForumStatus.DRAFT.value]
    if principal.is_authenticated:
        admin_of = _admin_organizations(principal)
        if admin_of:
            marks = ", ".join("{}" for _ in admin_of)
            conditions += [
                f"f.lead_organization IN ({marks})",
                f"f.id IN (SELECT forum FROM forum_partner WHERE organization IN ({marks}))",  # noqa: S608
            ]
            args += [*admin_of, *admin_of]
        conditions.append('f.id IN (SELECT forum FROM forum_role WHERE "user" = {} AND role = {})')
        args += [principal.user_id, schemas.ForumRoleName.ORGANIZER.value]
    return "(" + " OR ".join(conditions) + ")", args


async def list_forums(
    principal: Principal, filters: ForumFilters, cursor: str | None, limit: int
) -> schemas.ForumPage:
    """Forums the caller may see, soonest first (most recent first for ``when=past``)."""
    visible, args = await _visible_forums_sql(principal)
    conditions = [visible] if visible else []
    if filters.status is not None:
        conditions.append("f.status = {}")
        args.append(filters.status.value)
    if filters.series is not None:
        conditions.append("s.slug = {}")
        args.append(filters.series)
    if filters.year is not None:
        conditions.append("f.edition = {}")
        args.append(filters.year)
    if filters.country is not None:
        conditions.append("f.venue_country = {}")
        args.append(filters.country.upper())
    if filters.when == schemas.When.UPCOMING:
        conditions.append("f.ends_at >= {}")
        args.append(now())
    elif filters.when == schemas.When.PAST:
        conditions.append("f.ends_at < {}")
        args.append(now())
    ascending = filters.when != schemas.When.PAST
    if cursor is not None:
        after_start, after_id = decode_cursor(cursor)
        beyond = ">" if ascending else "<"
        conditions.append(
            f"(f.starts_at {beyond} {{}} OR (f.starts_at = {{}} AND f.id {beyond} {{}}))"
        )
        args += [after_start, after_start, after_id]
    order = "" if ascending else " DESC"
    rows = await db.read_indexed(
        _forum_sql()
        + ("WHERE " + " AND ".join(conditions) if conditions else "")
        + f" ORDER BY f.starts_at{order}, f.id{order} LIMIT {{}}",
        *args,
        limit + 1,
    )
    page = rows[:limit]
    items = [_forum(row, _partner_refs(row)) for row in page]
    next_cursor = (
        encode_cursor(page[-1]["starts_at"], page[-1]["id"]) if len(rows) > limit else None
    )
    return schemas.ForumPage(items=items, next_cursor=next_cursor)


async def edited_forums(principal: Principal, limit: int) -> list[schemas.Forum]:
    """The forums the caller edits (``edits_forum``), drafts included, latest first."""
    if not principal.is_authenticated:
        return []
    conditions: list[str] = []
    args: list[Any] = []
    if not principal.is_platform_admin:
        if admin_of := _admin_organizations(principal):
            conditions.append(f"f.lead_organization IN ({', '.join('{}' for _ in admin_of)})")
            args += admin_of
        if draft_ids := await _draft_forum_ids(principal):
            conditions.append(f"f.id IN ({', '.join('{}' for _ in draft_ids)})")
            args += draft_ids
        if not conditions:
            return []
    where = f"WHERE {' OR '.join(conditions)} " if conditions else ""
    rows = await db.read_indexed(
        _forum_sql() + where + "ORDER BY f.starts_at DESC, f.id DESC LIMIT {}", *args, limit
    )
    return [_forum(row, _partner_refs(row)) for row in rows]


# Series ----------------------------------------------------------------------------------------


async def list_series() -> list[schemas.Series]:
    rows = await ForumSeries.select(ForumSeries.slug, ForumSeries.name).order_by(ForumSeries.id)
    return [_series(row) for row in rows]


def _series(row: Mapping[str, Any]) -> schemas.Series:
    name = localize_stored(row["name"])
    assert name is not None
    return schemas.Series(slug=row["slug"], name=name)


async def create_series(principal: Principal, data: schemas.SeriesCreate) -> schemas.Series:
    await authorize(principal, creates_series)
    name, problems = text_problems(
        data.name, "/name", original=_original(data.original_locale), max_length=MAX_TITLE
    )
    problems += original_locale_problems(data.original_locale)
    if problems or name is None:
        raise InvalidInput(*problems)
    async with db.transaction():
        if await ForumSeries.exists().where(ForumSeries.slug == data.slug):
            raise _slug_taken(data.slug)
        await ForumSeries.insert(ForumSeries(slug=data.slug, name=name.to_json(), created_at=now()))
    return _series({"slug": data.slug, "name": name.to_json()})


#: Addresses the desk's own pages use beside a forum's (``/desk/forums/new``).
RESERVED_FORUM_SLUGS = frozenset({"new"})


def _slug_taken(slug: str) -> Conflict:
    return Conflict("slug_taken", N_("The address {slug} is taken already."), slug=slug)


# Writing forums --------------------------------------------------------------------------------


def _original(locale: str | UnsetType | None) -> str | None:
    return None if locale is None or isinstance(locale, UnsetType) else locale


def original_locale_problems(locale: str | UnsetType | None) -> list[FieldError]:
    from mupass_forum.i18n import supported_locales

    if locale is None or isinstance(locale, UnsetType) or locale in supported_locales():
        return []
    return [
        FieldError(
            N_("Use one of: {supported}."),
            "unsupported_locale",
            pointer="/original_locale",
            params={"supported": ", ".join(supported_locales())},
        )
    ]


def language_problem(code: str, pointer: str) -> FieldError | None:
    if code.isalpha() and code.lower() == code and code in Locale.parse("en").languages:
        return None
    return FieldError(
        N_("Expected an ISO 639-1 language code such as de, fr or pt."),
        "unknown_language",
        pointer=pointer,
    )


class InputChecks:
    """Collects column values and field problems while an input is checked."""

    def __init__(self, current: Mapping[str, Any] | None) -> None:
        self.current = current or {}
        self.values: dict[str, Any] = {}
        self.problems: list[FieldError] = []

    def final(self, name: str) -> Any:
        return self.values[name] if name in self.values else self.current.get(name)

    def problem(self, problem: FieldError | None) -> None:
        if problem is not None:
            self.problems.append(problem)

    def text(
        self,
        name: str,
        raw: Mapping[str, str] | UnsetType,
        original: str | UnsetType | None,
        *,
        required: bool,
        max_length: int,
    ) -> None:
        if isinstance(raw, UnsetType):
            return
        chosen = _original(original)
        stored = self.current.get(name)
        if chosen is None and stored:
            # Editing a text keeps the language it was written in, while that one is kept.
            previous = TranslatableText.from_json(stored).original
            chosen = previous if raw.get(previous, "").strip() else None
        text, problems = text_problems(
            raw, f"/{name}", original=chosen, required=required, max_length=max_length
        )
        self.problems += problems
        if not problems:
            self.values[name] = text.to_json() if text is not None else None

    def instant(self, name: str, raw: datetime | UnsetType | None, zone: ZoneInfo | None) -> None:
        if isinstance(raw, UnsetType):
            return
        if raw is None:
            self.values[name] = None
            return
        if zone is None:
            return
        converted = to_utc(raw, zone, f"/{name}")
        if isinstance(converted, FieldError):
            self.problems.append(converted)
        else:
            self.values[name] = converted

    def raise_problems(self) -> None:
        if self.problems:
            raise InvalidInput(*self.problems)


def _given(data: msgspec.Struct, name: str) -> Any:
    return getattr(data, name, UNSET)


async def _check_forum(
    data: schemas.ForumCreate | schemas.ForumUpdate, current: Mapping[str, Any] | None
) -> tuple[dict[str, Any], list[int] | None]:
    """Checked column values of a new forum or of the changed fields of one; partner ids."""
    changes = InputChecks(current)
    original = _given(data, "original_locale")
    changes.problems += original_locale_problems(original)
    changes.text("title", data.title, original, required=True, max_length=MAX_TITLE)
    changes.text("summary", data.summary, original, required=False, max_length=MAX_TEXT)
    changes.text("description", data.description, original, required=False, max_length=MAX_TEXT)
    for name in ("edition", "capacity"):
        if not isinstance(value := _given(data, name), UnsetType):
            changes.values[name] = value
    if not isinstance(data.kind, UnsetType):
        changes.values["kind"] = data.kind.value
    if not isinstance(data.timezone, UnsetType):
        changes.problem(timezone_problem(data.timezone))
        changes.values["timezone"] = data.timezone
    zone = _zone(changes.final("timezone") or "")
    for name in (
        "starts_at",
        "ends_at",
        "interest_deadline",
        "registration_opens_at",
        "registration_closes_at",
    ):
        changes.instant(name, _given(data, name), zone)
    if not isinstance(data.venue, UnsetType):
        if data.venue.country:
            changes.problem(country_problem(data.venue.country, "/venue/country"))
        changes.values.update(
            venue_name=data.venue.name.strip(),
            venue_address=data.venue.address.strip(),
            venue_room=data.venue.room.strip(),
            venue_city=data.venue.city.strip(),
            venue_country=data.venue.country.upper(),
        )
    if not isinstance(data.languages, UnsetType):
        seen: set[str] = set()
        for index, offer in enumerate(data.languages):
            changes.problem(language_problem(offer.code, f"/languages/{index}/code"))
            if offer.code in seen:
                changes.problem(
                    FieldError(
                        N_("This language is listed twice."),
                        "duplicate",
                        pointer=f"/languages/{index}/code",
                    )
                )
            seen.add(offer.code)
        changes.values["languages"] = [
            {"code": offer.code, "interpretation": offer.interpretation} for offer in data.languages
        ]
    if not isinstance(data.contact_email, UnsetType):
        email = data.contact_email.strip()
        if email and not _EMAIL.match(email):
            changes.problem(
                FieldError(
                    N_("This is not a valid email address."),
                    "invalid_email",
                    pointer="/contact_email",
                )
            )
        changes.values["contact_email"] = email
    _check_forum_times(changes)
    changes.raise_problems()

    if not isinstance(data.series, UnsetType):
        series = (
            await ForumSeries.select(ForumSeries.id).where(ForumSeries.slug == data.series).first()
        )
        if series is None:
            changes.problem(
                FieldError(
                    N_("There is no series with this address."), "unknown_series", pointer="/series"
                )
            )
        else:
            changes.values["series"] = series["id"]
    if not isinstance(lead := _given(data, "lead_organization_id"), UnsetType):
        changes.values["lead_organization"] = lead
    partner_ids = _given(data, "partner_organization_ids")
    wanted = {lead} if not isinstance(lead, UnsetType) else set()
    if not isinstance(partner_ids, UnsetType):
        wanted |= set(partner_ids)
        if len(set(partner_ids)) != len(partner_ids):
            changes.problem(
                FieldError(
                    N_("An organization is listed twice."),
                    "duplicate",
                    pointer="/partner_organization_ids",
                )
            )
    if wanted:
        known = {
            row["id"]
            for row in await Organization.select(Organization.id).where(
                Organization.id.is_in(list(wanted))
            )
        }
        if not isinstance(lead, UnsetType) and lead not in known:
            changes.problem(
                FieldError(
                    N_("There is no organization with this id."),
                    "unknown_organization",
                    pointer="/lead_organization_id",
                )
            )
        if not isinstance(partner_ids, UnsetType):
            for index, partner in enumerate(partner_ids):
                if partner not in known:
                    changes.problem(
                        FieldError(
                            N_("There is no organization with this id."),
                            "unknown_organization",
                            pointer=f"/partner_organization_ids/{index}",
                        )
                    )
    changes.raise_problems()
    final_lead = changes.final("lead_organization")
    partners = (
        None
        if isinstance(partner_ids, UnsetType)
        else [partner for partner in partner_ids if partner != final_lead]
    )
    return changes.values, partners


def _check_forum_times(changes: InputChecks) -> None:
    starts_at, ends_at = changes.final("starts_at"), changes.final("ends_at")
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        changes.problem(
            FieldError(
                N_("The end must be after the start."), "ends_before_start", pointer="/ends_at"
            )
        )
    opens, closes = changes.final("registration_opens_at"), changes.final("registration_closes_at")
    if opens is not None and closes is not None and closes <= opens:
        changes.problem(
            FieldError(
                N_("Registration must close after it opens."),
                "registration_window",
                pointer="/registration_closes_at",
            )
        )
    for name in ("interest_deadline", "registration_opens_at", "registration_closes_at"):
        value = changes.final(name)
        if value is not None and value > ends_at:
            changes.problem(
                FieldError(
                    N_("This must be before the end of the forum."),
                    "after_forum_end",
                    pointer=f"/{name}",
                )
            )


async def create_forum(principal: Principal, data: schemas.ForumCreate) -> schemas.Forum:
    """A new forum, as a draft; its lead organization's admins and platform admins create it."""
    await authorize(principal, creates_forum_for, data.lead_organization_id)
    values, partners = await _check_forum(data, None)
    stamp = now()
    async with db.transaction():
        if data.slug in RESERVED_FORUM_SLUGS or await Forum.exists().where(Forum.slug == data.slug):
            raise _slug_taken(data.slug)
        try:
            rows = await Forum.insert(
                Forum(
                    slug=data.slug,
                    status=ForumStatus.DRAFT.value,
                    created_by=principal.user_id,
                    created_at=stamp,
                    updated_at=stamp,
                    **values,
                )
            ).returning(Forum.id)
        except db.INTEGRITY_ERRORS as exc:
            if not db.is_unique_violation(exc, "forum", "slug"):
                raise
            raise _slug_taken(data.slug) from exc
        await _replace_partners(int(rows[0]["id"]), partners or [])
    return await get_forum(principal, data.slug)


async def _replace_partners(forum_id: int, partner_ids: Sequence[int]) -> None:
    await ForumPartner.delete().where(ForumPartner.forum == forum_id)
    if partner_ids:
        await ForumPartner.insert(
            *(ForumPartner(forum=forum_id, organization=partner) for partner in partner_ids)
        )


async def update_forum(principal: Principal, slug: str, data: schemas.ForumUpdate) -> schemas.Forum:
    """Change a forum; moving it to another lead organization needs the current lead's admin."""
    forum = await editable_forum(principal, slug)
    if not isinstance(data.lead_organization_id, UnsetType):
        await authorize(principal, creates_forum_for, forum.lead_organization_id)
        await authorize(principal, creates_forum_for, data.lead_organization_id)
    current = await Forum.select().where(Forum.id == forum.id).first()
    if current is None:
        raise NotFound("forum_not_found")
    values, partners = await _check_forum(data, current)
    async with db.transaction():
        if "starts_at" in values or "ends_at" in values or "timezone" in values:
            await _keep_programme_inside(
                forum.id,
                values.get("starts_at", current["starts_at"]),
                values.get("ends_at", current["ends_at"]),
                ZoneInfo(str(values.get("timezone", current["timezone"]))),
            )
        if values:
            values["updated_at"] = now()
            await Forum.update(
                {getattr(Forum, name): value for name, value in values.items()}
            ).where(Forum.id == forum.id)
            await _tell_listeners(forum, values, principal.user_id)
        if partners is not None:
            await _replace_partners(forum.id, partners)
    return await get_forum(principal, slug)


async def _keep_programme_inside(
    forum_id: int, starts_at: Any, ends_at: Any, zone: ZoneInfo
) -> None:
    lower, upper = forum_day_bounds(starts_at, ends_at, zone)
    outside = await ProgrammeItem.count().where(
        ProgrammeItem.forum == forum_id,
        (ProgrammeItem.starts_at < lower) | (ProgrammeItem.ends_at > upper),
    )
    if outside:
        raise Conflict(
            "programme_outside_dates",
            N_("The programme has items outside the new dates. Move or delete them first."),
        )


async def change_status(principal: Principal, slug: str, target: ForumStatus) -> schemas.Forum:
    """Move a forum along its lifecycle; anything but an allowed transition is a conflict."""
    forum = await editable_forum(principal, slug)
    allowed = TRANSITIONS[forum.status]
    if target not in allowed:
        raise Conflict(
            "transition_not_allowed",
            N_("A forum with the status “{current}” cannot change to “{target}”."),
            extra={"allowed": sorted(status.value for status in allowed)},
            current=status_name(forum.status),
            target=status_name(target),
        )
    if target == ForumStatus.HELD and forum.starts_at > now():
        raise Conflict(
            "forum_not_started",
            N_("A forum can only be marked as held once it has begun."),
        )
    async with db.transaction():
        updated = (
            await Forum.update({Forum.status: target.value, Forum.updated_at: now()})
            .where(Forum.id == forum.id, Forum.status == forum.status.value)
            .returning(Forum.id)
        )
        if not updated:
            raise Conflict(
                "status_changed",
                N_("The forum's status was changed at the same time. Please reload it."),
            )
        await _tell_listeners(forum, {"status": target}, principal.user_id)
    return await get_forum(principal, slug)


# Roles -----------------------------------------------------------------------------------------


def _grant(row: Mapping[str, Any]) -> schemas.ForumRoleGrant:
    return schemas.ForumRoleGrant(
        user_id=row["user_id"],
        display_name=row["display_name"],
        role=label_of(row["role"], ROLE_LABELS),
        granted_by=row["granted_by"],
        granted_at=row["granted_at"],
    )


_GRANT_COLUMNS = (
    ForumRole.user.id.as_alias("user_id"),
    ForumRole.user.display_name.as_alias("display_name"),
    ForumRole.role,
    ForumRole.granted_by,
    ForumRole.granted_at,
)


async def list_roles(principal: Principal, slug: str) -> list[schemas.ForumRoleGrant]:
    forum = await editable_forum(principal, slug)
    rows = (
        await ForumRole.select(*_GRANT_COLUMNS)
        .where(ForumRole.forum == forum.id)
        .order_by(ForumRole.role)
        .order_by(ForumRole.user.display_name)
    )
    return [_grant(row) for row in rows]


async def grant_role(
    principal: Principal, slug: str, data: schemas.ForumRoleCreate
) -> schemas.ForumRoleGrant:
    forum = await editable_forum(principal, slug)
    async with db.transaction():
        if not await User.exists().where(User.id == data.user_id):
            raise InvalidInput(
                FieldError(
                    N_("There is no account with this id."), "unknown_account", pointer="/user_id"
                )
            )
        if await ForumRole.exists().where(
            ForumRole.forum == forum.id,
            ForumRole.user == data.user_id,
            ForumRole.role == data.role.value,
        ):
            raise Conflict(
                "role_held",
                N_("This person is {role} of this forum already."),
                role=LazyProxy(gettext, ROLE_LABELS[data.role], enable_cache=False),
            )
        await ForumRole.insert(
            ForumRole(
                forum=forum.id,
                user=data.user_id,
                role=data.role.value,
                granted_by=principal.user_id,
                granted_at=now(),
            )
        )
    row = (
        await ForumRole.select(*_GRANT_COLUMNS)
        .where(
            ForumRole.forum == forum.id,
            ForumRole.user == data.user_id,
            ForumRole.role == data.role.value,
        )
        .first()
    )
    assert row is not None
    return _grant(row)


async def revoke_role(
    principal: Principal, slug: str, user_id: int, role: schemas.ForumRoleName
) -> None:
    forum = await editable_forum(principal, slug)
    deleted = (
        await ForumRole.delete()
        .where(ForumRole.forum == forum.id, ForumRole.user == user_id, ForumRole.role == role.value)
        .returning(ForumRole.id)
    )
    if not deleted:
        raise NotFound("forum_role_not_found")
