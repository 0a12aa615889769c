"""A forum's consent notices: versions published and never edited, the default stored as the
first, and the version after which everyone must choose again."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import msgspec

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.consent import schemas
from mupass_forum.consent.tables import ConsentNotice
from mupass_forum.consent.vocabulary import default_notice_text, sha256_hex
from mupass_forum.errors import Conflict, FieldError, InvalidInput, NotFound
from mupass_forum.forums.queries import editable_forum, visible_forum
from mupass_forum.i18n import N_
from mupass_forum.i18n.locale import supported_locales
from mupass_forum.i18n.text import TranslatableText, localize, parse_text
from mupass_forum.rows import Moment, row_as

MAX_NOTICE = 10_000

# Notices ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Notice:
    id: int
    forum_id: int
    version: int
    text: TranslatableText
    material: bool
    published_at: datetime
    published_by: int | None


@dataclass(frozen=True, slots=True)
class NoticeState:
    """A forum's current notice, and the latest version that asked everyone to choose again."""

    current: Notice
    material_version: int


_NOTICE_COLUMNS = (
    ConsentNotice.id,
    ConsentNotice.forum,
    ConsentNotice.version,
    ConsentNotice.text,
    ConsentNotice.material,
    ConsentNotice.published_at,
    ConsentNotice.published_by,
)


class _NoticeRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    forum: int
    version: int
    #: JSON of a ``TranslatableText``.
    text: str
    material: bool
    published_at: Moment
    published_by: int | None


def _notice(found: Mapping[str, object]) -> Notice:
    row = row_as(found, _NoticeRow)
    return Notice(
        id=row.id,
        forum_id=row.forum,
        version=row.version,
        text=TranslatableText.from_json(row.text),
        material=row.material,
        published_at=row.published_at,
        published_by=row.published_by,
    )


async def _notice_state(forum_id: int) -> NoticeState | None:
    row = (
        await ConsentNotice.select(*_NOTICE_COLUMNS)
        .where(ConsentNotice.forum == forum_id)
        .order_by(ConsentNotice.version, ascending=False)
        .first()
    )
    if row is None:
        return None
    material = (
        await ConsentNotice.select(ConsentNotice.version)
        .where(ConsentNotice.forum == forum_id, ConsentNotice.material.eq(True))
        .order_by(ConsentNotice.version, ascending=False)
        .first()
    )
    # Version 1 is always material, so there is one.
    assert material is not None
    return NoticeState(current=_notice(row), material_version=material["version"])


async def notice_state(forum_id: int) -> NoticeState:
    """The forum's notice; the default one is published as version 1 when there is none yet.

    Storing the default (rather than serving it from the catalogs) makes every decision refer
    to a text that can no longer change.
    """
    state = await _notice_state(forum_id)
    if state is not None:
        return state
    async with db.transaction():
        await ConsentNotice.insert(
            ConsentNotice(
                forum=forum_id,
                version=1,
                text=default_notice_text().to_json(),
                material=True,
                published_at=now(),
                published_by=None,
            )
        ).on_conflict(target=(ConsentNotice.forum, ConsentNotice.version), action="DO NOTHING")
        state = await _notice_state(forum_id)
    assert state is not None
    return state


def notice_out(
    slug: str, notice: Notice, material_version: int, locale: str | None = None
) -> schemas.ConsentNotice:
    shown = localize(notice.text, locale)
    return schemas.ConsentNotice(
        forum_slug=slug,
        version=notice.version,
        material=notice.material,
        material_version=material_version,
        text=shown,
        text_sha256=sha256_hex(shown.text),
        published_at=notice.published_at,
        published_by=notice.published_by,
    )


async def get_notice(
    principal: Principal, slug: str, version: int | None = None
) -> schemas.ConsentNotice:
    """The current notice (or one version of it) in the reader's language."""
    forum = await visible_forum(principal, slug)
    state = await notice_state(forum.id)
    if version is None or version == state.current.version:
        return notice_out(slug, state.current, state.material_version)
    row = (
        await ConsentNotice.select(*_NOTICE_COLUMNS)
        .where(ConsentNotice.forum == forum.id, ConsentNotice.version == version)
        .first()
    )
    if row is None:
        raise NotFound("consent_notice_not_found")
    return notice_out(slug, _notice(row), state.material_version)


async def publish_notice(
    principal: Principal, slug: str, data: schemas.ConsentNoticeCreate
) -> schemas.ConsentNotice:
    """Publish a new version of the forum's notice; versions are never edited afterwards."""
    forum = await editable_forum(principal, slug)
    text = parse_text(data.text, "/text", original=data.original_locale, max_length=MAX_NOTICE)
    missing = [locale for locale in supported_locales() if locale not in text.texts]
    if missing:
        raise InvalidInput(
            *(
                FieldError(
                    N_("The notice must be written in every language of the service."),
                    "translation_missing",
                    pointer=f"/text/{locale}",
                )
                for locale in missing
            )
        )
    try:
        async with db.transaction():
            latest = await _notice_state(forum.id)
            version = latest.current.version + 1 if latest is not None else 1
            # The first version is what everyone decides on, so it is material by definition.
            material = data.material or latest is None
            await ConsentNotice.insert(
                ConsentNotice(
                    forum=forum.id,
                    version=version,
                    text=text.to_json(),
                    material=material,
                    published_at=now(),
                    published_by=principal.user_id,
                )
            )
            state = await _notice_state(forum.id)
    except db.INTEGRITY_ERRORS as exc:
        if not db.is_unique_violation(exc, "consent_notice", "forum", "version"):
            raise
        raise Conflict(
            "consent_notice_version_taken",
            N_("Another version of the notice was published at the same time. Please check it."),
        ) from exc
    assert state is not None
    return notice_out(slug, state.current, state.material_version)
