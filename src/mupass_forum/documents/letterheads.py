"""A forum's letterhead and logo, and the facts about the forum every letter prints."""

from __future__ import annotations

import base64
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.documents import schemas
from mupass_forum.documents.people import COST_LABELS, LOGO_MAX_BYTES
from mupass_forum.documents.tables import Letterhead
from mupass_forum.errors import FieldError, InvalidInput
from mupass_forum.forums.queries import editable_forum
from mupass_forum.forums.tables import Forum
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import (
    N_,
)
from mupass_forum.rows import Moment, row_as

# Letterhead ------------------------------------------------------------------------------------


class LetterheadRow(msgspec.Struct, frozen=True, kw_only=True):
    """A forum's letterhead; before organizers set one, the lead organization's name alone."""

    institute: str
    address: str = ""
    signatory_name: str = ""
    signatory_role: str = ""
    letter_locale: str = "en"
    #: JSON: a list of ``CoveredCost`` values.
    covered_costs: str = "[]"
    logo: bytes | None = None
    logo_media_type: str = ""
    #: Null before organizers set one.
    updated_at: Moment | None = None

    def costs(self) -> list[str]:
        return msgspec.json.decode(self.covered_costs, type=list[str] | None) or []


async def letterhead_row(forum_id: int) -> LetterheadRow:
    row = await Letterhead.select().where(Letterhead.forum == forum_id).first()
    if row is not None:
        return row_as(row, LetterheadRow)
    institute = await Forum.raw(
        "SELECT o.name FROM forum f JOIN account_organization o ON o.id = f.lead_organization "
        "WHERE f.id = {}",
        forum_id,
    )
    return LetterheadRow(institute=institute[0]["name"] if institute else "")


def _letterhead(slug: str, row: LetterheadRow) -> schemas.Letterhead:
    return schemas.Letterhead(
        forum=slug,
        institute=row.institute,
        address=row.address,
        signatory_name=row.signatory_name,
        signatory_role=row.signatory_role,
        letter_locale=row.letter_locale,
        covered_costs=[label_of(cost, COST_LABELS) for cost in row.costs()],
        has_logo=bool(row.logo),
    )


async def letterhead(principal: Principal, slug: str) -> schemas.Letterhead:
    """What the forum's letters and certificates are signed with (organizers)."""
    forum = await editable_forum(principal, slug)
    return _letterhead(forum.slug, await letterhead_row(forum.id))


async def _save_letterhead(forum_id: int, values: dict[Any, Any]) -> None:
    values = {**values, Letterhead.updated_at: now()}
    async with db.transaction():
        updated = (
            await Letterhead.update(values)
            .where(Letterhead.forum == forum_id)
            .returning(Letterhead.id)
        )
        if not updated:
            start = msgspec.structs.asdict(await letterhead_row(forum_id))
            start.update({column._meta.name: value for column, value in values.items()})
            await Letterhead.insert(Letterhead(forum=forum_id, **start))


async def set_letterhead(
    principal: Principal, slug: str, data: schemas.LetterheadInput
) -> schemas.Letterhead:
    """Set the institute, address and signatory of the forum's documents."""
    forum = await editable_forum(principal, slug)
    await _save_letterhead(
        forum.id,
        {
            Letterhead.institute: data.institute.strip(),
            Letterhead.address: data.address.strip(),
            Letterhead.signatory_name: data.signatory_name.strip(),
            Letterhead.signatory_role: data.signatory_role.strip(),
            Letterhead.letter_locale: data.letter_locale.value,
            Letterhead.covered_costs: [cost.value for cost in dict.fromkeys(data.covered_costs)],
        },
    )
    return await letterhead(principal, slug)


def _logo_type(content: bytes) -> str | None:
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


async def set_logo(principal: Principal, slug: str, content: bytes) -> schemas.Letterhead:
    """Put the institute's logo (PNG or JPEG, at most 512 KiB) on the forum's documents."""
    forum = await editable_forum(principal, slug)
    media_type = _logo_type(content)
    if media_type is None or len(content) > LOGO_MAX_BYTES:
        raise InvalidInput(
            FieldError(
                N_("The logo must be a PNG or JPEG image of at most 512 KiB."),
                code="invalid_logo",
                pointer="/logo",
            )
        )
    await _save_letterhead(
        forum.id, {Letterhead.logo: content, Letterhead.logo_media_type: media_type}
    )
    return await letterhead(principal, slug)


# Rendering -------------------------------------------------------------------------------------


def logo_uri(row: LetterheadRow) -> str | None:
    if not row.logo:
        return None
    encoded = base64.b64encode(row.logo).decode("ascii")
    return f"data:{row.logo_media_type};base64,{encoded}"
