"""The interest list: people who confirmed interest in a forum, for its organizers, a page at
a time or whole as a CSV file. Who wants to present and on what topic is how organizers find
best-practice speakers; whether and when the invitation to register went out is shown too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Response
from piccolo.columns.combination import WhereRaw

from mupass_forum import regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.downloads import file_name
from mupass_forum.forums.queries import editable_forum
from mupass_forum.i18n import N_, NC_, gettext
from mupass_forum.i18n.formatting import language_name
from mupass_forum.registrations import schemas
from mupass_forum.registrations.exports import ExportFormat, download, table_file, yes_no
from mupass_forum.registrations.queries import (
    check_region,
    decode_id_cursor,
    encode_id_cursor,
    search_words,
)
from mupass_forum.registrations.tables import Interest
from mupass_forum.rows import Moment, rows_as


@dataclass(frozen=True, slots=True)
class InterestFilter:
    #: Words found in the name, e-mail address or organization (case ignored).
    q: str | None = None
    #: M49 region or sub-region.
    region: str | None = None
    country: str | None = None
    wants_to_present: bool | None = None
    locale: str | None = None
    invited: bool | None = None


_COLUMNS = (
    Interest.id,
    Interest.given_name,
    Interest.family_name,
    Interest.email,
    Interest.organization_name,
    Interest.country,
    Interest.region,
    Interest.sub_region,
    Interest.stakeholder_group,
    Interest.government_level,
    Interest.wants_to_present,
    Interest.presentation_topic,
    Interest.locale,
    Interest.confirmed_at,
    Interest.invitation_sent_at,
)


#: The columns a search looks in.
_SEARCHED = ("given_name", "family_name", "email", "organization_name")


def _conditions(forum_id: int, given: InterestFilter) -> list[Any]:
    # Erased people's entries stay counted in the statistics but are listed nowhere.
    where: list[Any] = [
        Interest.forum == forum_id,
        Interest.confirmed_at.is_not_null(),
        Interest.anonymized_at.is_null(),
    ]
    if given.q:
        for _, pattern in search_words(given.q):
            # LOWER on both sides: the same on both databases (ILIKE is PostgreSQL's only).
            where.append(
                WhereRaw(
                    "("
                    + " OR ".join(f"LOWER({column}) LIKE LOWER({{}})" for column in _SEARCHED)
                    + ")",
                    *[pattern] * len(_SEARCHED),
                )
            )
    if given.region:
        check_region(given.region)
        where.append((Interest.region == given.region) | (Interest.sub_region == given.region))
    if given.country:
        where.append(Interest.country == given.country.strip().upper())
    if given.wants_to_present is not None:
        where.append(Interest.wants_to_present == given.wants_to_present)
    if given.locale:
        where.append(Interest.locale == given.locale)
    if given.invited is True:
        where.append(Interest.invitation_sent_at.is_not_null())
    elif given.invited is False:
        where.append(Interest.invitation_sent_at.is_null())
    return where


class _InterestRow(msgspec.Struct, frozen=True, kw_only=True):
    """A row of ``_COLUMNS``."""

    id: int
    given_name: str
    family_name: str
    email: str
    organization_name: str
    country: str
    region: str | None
    sub_region: str | None
    stakeholder_group: str | None
    government_level: str | None
    wants_to_present: bool
    presentation_topic: str
    locale: str
    confirmed_at: Moment
    invitation_sent_at: Moment | None


def _entry(row: _InterestRow) -> schemas.InterestEntry:
    region, sub_region = row.region, row.sub_region
    return schemas.InterestEntry(
        id=row.id,
        given_name=row.given_name,
        family_name=row.family_name,
        email=row.email,
        organization=row.organization_name,
        country=row.country,
        country_name=regions.name(row.country),
        region=region,
        region_name=regions.name(region) if region else None,
        sub_region=sub_region,
        sub_region_name=regions.name(sub_region) if sub_region else None,
        stakeholder_group=row.stakeholder_group,
        government_level=row.government_level,
        wants_to_present=row.wants_to_present,
        presentation_topic=row.presentation_topic,
        locale=row.locale,
        language_name=language_name(row.locale),
        confirmed_at=row.confirmed_at,
        invitation_sent_at=row.invitation_sent_at,
    )


async def list_interest(
    principal: Principal, slug: str, given: InterestFilter, cursor: str | None, limit: int
) -> schemas.InterestPage:
    """Confirmed interest in the order it came in, a page at a time (organizers)."""
    forum = await editable_forum(principal, slug)
    where = _conditions(forum.id, given)
    if cursor is not None:
        where.append(Interest.id > decode_id_cursor(cursor))
    rows = await Interest.select(*_COLUMNS).where(*where).order_by(Interest.id).limit(limit + 1)
    page = rows_as(rows[:limit], _InterestRow)
    return schemas.InterestPage(
        items=[_entry(row) for row in page],
        next_cursor=encode_id_cursor(page[-1].id) if len(rows) > limit else None,
    )


async def all_interest(
    principal: Principal, slug: str, given: InterestFilter
) -> tuple[str, list[schemas.InterestEntry]]:
    """Every entry matching ``given``, for the export (organizers); one query."""
    forum = await editable_forum(principal, slug)
    where = _conditions(forum.id, given)
    rows = await Interest.select(*_COLUMNS).where(*where).order_by(Interest.id)
    return forum.slug, [_entry(row) for row in rows_as(rows, _InterestRow)]


COLUMNS = (
    N_("Given name"),
    N_("Family name"),
    N_("Email"),
    N_("Organization"),
    N_("Country"),
    N_("Region"),
    N_("Sub-region"),
    # i18n: Column of the interest list: whether the person wants to present an example.
    N_("Wants to present"),
    # i18n: Column of the interest list: the best-practice topic the person would present.
    N_("Presentation topic"),
    N_("Language"),
    # i18n: Column of the interest list: when the person confirmed their interest.
    NC_("interest", "Confirmed"),
    # i18n: Column of the interest list: when the invitation to register was mailed.
    N_("Invited"),
)


def interest_file(items: Sequence[schemas.InterestEntry], form: ExportFormat) -> tuple[bytes, str]:
    """The entries as CSV or XLSX for spreadsheet programs, in the reader's language, and the
    file's media type."""
    rows: list[list[Any]] = [
        [
            item.given_name,
            item.family_name,
            item.email,
            item.organization,
            item.country_name,
            item.region_name,
            item.sub_region_name,
            yes_no(item.wants_to_present),
            item.presentation_topic,
            item.language_name,
            item.confirmed_at,
            item.invitation_sent_at,
        ]
        for item in items
    ]
    header = [gettext(column) for column in COLUMNS]
    # i18n: The name of the sheet in an exported interest list.
    return table_file(header, rows, form, N_("Interest"))


async def interest_download(
    principal: Principal, slug: str, given: InterestFilter, form: ExportFormat
) -> Response[bytes]:
    """The export as a download, for the API and the desk alike."""
    forum_slug, items = await all_interest(principal, slug, given)
    return download(
        interest_file(items, form),
        # i18n: A file name (lower case, words joined by hyphens, no spaces).
        file_name(N_("{forum}-interest"), form.value, forum=forum_slug),
    )
