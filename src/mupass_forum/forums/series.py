"""Forum series: listed and created."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mupass_forum import db
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.errors import InvalidInput
from mupass_forum.forums import schemas
from mupass_forum.forums.authorization import (
    creates_series,
)
from mupass_forum.forums.checks import original_locale_problems, slug_taken, source_locale_of
from mupass_forum.forums.tables import ForumSeries
from mupass_forum.forums.terms import MAX_TITLE
from mupass_forum.i18n.text import (
    localize_stored,
    text_problems,
)

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
        data.name, "/name", original=source_locale_of(data.original_locale), max_length=MAX_TITLE
    )
    problems += original_locale_problems(data.original_locale)
    if problems or name is None:
        raise InvalidInput(*problems)
    async with db.transaction():
        if await ForumSeries.exists().where(ForumSeries.slug == data.slug):
            raise slug_taken(data.slug)
        await ForumSeries.insert(ForumSeries(slug=data.slug, name=name.to_json(), created_at=now()))
    return _series({"slug": data.slug, "name": name.to_json()})
