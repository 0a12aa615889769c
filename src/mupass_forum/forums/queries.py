"""Forums read: references, one forum with its texts, what a principal may see, the lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from piccolo.columns import Column, ForeignKey
from piccolo.custom_types import Combinable

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.schemas import OrganizationRole
from mupass_forum.accounts.tables import Membership
from mupass_forum.clock import now
from mupass_forum.errors import NotFound
from mupass_forum.forums import schemas
from mupass_forum.forums.authorization import (
    ForumRef,
    edits_forum,
    sees_forum,
)
from mupass_forum.forums.tables import Forum, ForumPartner, ForumRole
from mupass_forum.forums.terms import (
    FORUM_KIND_LABELS,
    STATUS_LABELS,
    ForumStatus,
    decode_cursor,
    encode_cursor,
    label_of,
)
from mupass_forum.i18n import (
    format_date_interval,
    format_time,
    language_name,
    use_locale,
)
from mupass_forum.i18n.locale import babel_locale, current_locale
from mupass_forum.i18n.text import (
    KeptForReaders,
    LocalizedText,
    TranslatableText,
    localize_stored,
)

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


async def _forum_row(
    column: str, value: Any, extra: str = "", extra_args: Sequence[Any] = ()
) -> Mapping[str, Any]:
    rows = await db.read_indexed(_forum_sql(extra) + f"WHERE f.{column} = {{}}", *extra_args, value)
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


async def forum_runners(forum_id: int) -> set[int]:
    """The people who run a forum: its organizers and the admins of its lead and partner
    institutes."""
    forum = await forum_ref_by_id(forum_id)
    organizers = await ForumRole.select(ForumRole.user).where(
        ForumRole.forum == forum_id, ForumRole.role == schemas.ForumRoleName.ORGANIZER.value
    )
    admins = await Membership.select(Membership.user).where(
        Membership.organization.is_in(sorted(forum.organization_ids)),
        Membership.role == OrganizationRole.ADMIN.value,
    )
    return {int(row["user"]) for row in [*organizers, *admins]}


async def visible_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum called ``slug`` if the caller may see it; a draft is a 404 to others."""
    forum = await forum_ref(slug)
    await authorize(principal, sees_forum, forum, hide=True)
    return forum


async def visible_forum_and(
    principal: Principal, slug: str, extra: str, *args: Any
) -> tuple[ForumRef, Mapping[str, Any]]:
    """``visible_forum`` and, in the same statement, the ``extra`` columns (SQL after a comma,
    its ``{}`` placeholders for ``args``, ``f`` the forum) of its row."""
    row = await _forum_row("slug", slug, f", {extra}", args)
    forum = _ref_of(row, _partner_refs(row))
    await authorize(principal, sees_forum, forum, hide=True)
    return forum, row


async def visible_forum_with(
    principal: Principal, slug: str, columns: str, join: str, order: str
) -> tuple[ForumRef, list[Mapping[str, Any]]]:
    """``visible_forum`` and the rows of a table joined to it (``join``, ``columns`` of it,
    in ``order``) in the same statement: a forum with no such rows is one row of nulls. The
    forum is read first, once (its partners are not looked up again for every row)."""
    engine_type = "postgres" if db.is_postgres() else "sqlite"
    rows = await db.read_indexed(
        f"WITH f AS MATERIALIZED (SELECT {_REF_SQL}, {_PARTNERS_SQL[engine_type]} "  # noqa: S608
        f"AS partners FROM forum f WHERE f.slug = {{}}) SELECT f.*, {columns} FROM f {join} "
        f"ORDER BY {order}",
        slug,
    )
    if not rows:
        raise NotFound("forum_not_found")
    forum = _ref_of(rows[0], _partner_refs(rows[0]))
    await authorize(principal, sees_forum, forum, hide=True)
    return forum, rows


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


#: Forums as readers got them (the list shows many, each with dates, times and names).
_kept_forums: KeptForReaders[schemas.Forum] = KeptForReaders()


def _forum(
    row: Mapping[str, Any],
    partners: list[schemas.OrganizationRef],
    description: LocalizedText | None = None,
) -> schemas.Forum:
    """A forum for the reader; ``partners`` and ``description`` as read from ``row``."""
    return _kept_forums.get(
        row, lambda: _new_forum(row, partners, description), description is not None
    )


def _new_forum(
    row: Mapping[str, Any],
    partners: list[schemas.OrganizationRef],
    description: LocalizedText | None,
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


async def visible_forums_condition(
    principal: Principal, forum: type[Forum] | ForeignKey[Forum] = Forum
) -> Combinable | None:
    """A ``where`` condition keeping the forums the caller may see (None: every forum).

    ``forum`` is ``Forum`` itself or a foreign key to it (``ProgrammeItem.forum``), so that
    other domains filter their rows by the visibility of their forum in the same query.
    """
    if principal.is_platform_admin:
        return None
    forum_id: Column = forum if isinstance(forum, ForeignKey) else forum.id
    visible: Combinable = forum.status != ForumStatus.DRAFT.value
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
