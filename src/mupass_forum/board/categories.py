"""The board's categories: listed as the caller may read them, made and changed by managers."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from mupass_forum import db
from mupass_forum.accounts.authorization import authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.authorization import (
    manages_categories,
    posts_in_category,
    readable_categories,
    reads_category,
)
from mupass_forum.board.queries import (
    CategoryRow,
    category_ids,
    category_row,
    category_rows,
    encode_text,
)
from mupass_forum.board.tables import Category
from mupass_forum.clock import now
from mupass_forum.errors import (
    Conflict,
    FieldError,
    InvalidInput,
)
from mupass_forum.forums.tables import Forum, ForumSeries
from mupass_forum.i18n import N_
from mupass_forum.i18n.text import localize_stored, text_problems
from mupass_forum.settings import Settings
from mupass_forum.validation import raise_problems

NAME_LENGTH, DESCRIPTION_LENGTH = 120, 2000


async def category_of(row: CategoryRow, principal: Principal) -> schemas.Category:
    access = row.access
    name = localize_stored(row.c_name)
    assert name is not None
    return schemas.Category(
        id=access.id,
        slug=row.c_slug,
        name=name,
        description=localize_stored(row.c_description),
        position=row.c_position,
        read_access=schemas.Access(access.read_access),
        post_access=schemas.Access(access.post_access),
        forum_id=access.forum_id,
        series=row.c_series,
        series_id=row.c_series_id,
        can_post=await posts_in_category(principal, access),
    )


class Categories:
    """Categories: who reads and who posts in each."""

    settings: Settings

    async def list_categories(self, principal: Principal) -> list[schemas.Category]:
        readable, args = await readable_categories(principal)
        return [await category_of(row, principal) for row in await category_rows(readable, args)]

    async def readable_category_ids(self, principal: Principal) -> list[int]:
        """The categories the caller may read (for search and the live stream)."""
        readable, args = await readable_categories(principal)
        return await category_ids(readable, args)

    async def get_category(self, principal: Principal, category_id: int) -> schemas.Category:
        row = await category_row(category_id)
        await authorize(principal, reads_category, row.access, hide=True)
        return await category_of(row, principal)

    async def create_category(
        self, principal: Principal, data: schemas.CategoryCreate
    ) -> schemas.Category:
        await authorize(principal, manages_categories)
        original = data.original_locale
        name, problems = text_problems(
            data.name, "/name", original=original, max_length=NAME_LENGTH
        )
        description, more = text_problems(
            data.description,
            "/description",
            original=name.original if name else original,
            required=False,
            max_length=DESCRIPTION_LENGTH,
        )
        raise_problems(*problems, *more)
        await self._check_forum(data.forum_id)
        series_id = await self._series_id(data.series, data.series_id)
        try:
            rows = await Category.insert(
                Category(
                    slug=data.slug,
                    name=encode_text(name),
                    description=encode_text(description),
                    position=data.position,
                    read_access=data.read_access.value,
                    post_access=data.post_access.value,
                    forum=data.forum_id,
                    series=series_id,
                    created_at=now(),
                )
            ).returning(Category.id)
        except db.INTEGRITY_ERRORS as exc:
            if not db.is_unique_violation(exc, "board_category", "slug"):
                raise
            raise Conflict(
                "category_slug_taken", N_("The address {slug} is taken."), slug=data.slug
            ) from exc
        return await self.get_category(principal, int(rows[0]["id"]))

    async def _check_forum(self, forum_id: int | None) -> None:
        if forum_id is not None and not await Forum.exists().where(Forum.id == forum_id):
            raise InvalidInput(
                FieldError(N_("There is no such forum."), "unknown_forum", pointer="/forum_id")
            )

    async def _series_id(self, slug: str | None, series_id: int | None) -> int | None:
        """The series a category is tied to, named by its slug or by its id (not both)."""
        if slug is not None and series_id is not None:
            raise InvalidInput(
                FieldError(
                    N_("Name the series by its slug or by its id, not both."),
                    "series_named_twice",
                    pointer="/series",
                )
            )
        if slug is None and series_id is None:
            return None
        row = (
            await ForumSeries.select(ForumSeries.id)
            .where(ForumSeries.slug == slug if slug is not None else ForumSeries.id == series_id)
            .first()
        )
        if row is None:
            raise InvalidInput(
                FieldError(
                    N_("There is no such series."),
                    "unknown_series",
                    pointer="/series" if slug is not None else "/series_id",
                )
            )
        return int(row["id"])

    async def update_category(
        self, principal: Principal, category_id: int, data: schemas.CategoryUpdate
    ) -> schemas.Category:
        await authorize(principal, manages_categories)
        row = await category_row(category_id)
        current = localize_stored(row.c_name)
        assert current is not None
        original = (
            current.original_locale if data.original_locale is UNSET else data.original_locale
        )
        changes: dict[Any, Any] = {}
        problems: list[FieldError] = []
        if data.name is not UNSET:
            name, found = text_problems(
                data.name, "/name", original=original, max_length=NAME_LENGTH
            )
            problems += found
            changes[Category.name] = encode_text(name)
        if data.description is not UNSET:
            description, found = text_problems(
                data.description,
                "/description",
                original=original,
                required=False,
                max_length=DESCRIPTION_LENGTH,
            )
            problems += found
            changes[Category.description] = encode_text(description)
        if data.position is not UNSET:
            changes[Category.position] = data.position
        if data.read_access is not UNSET:
            changes[Category.read_access] = data.read_access.value
        if data.post_access is not UNSET:
            changes[Category.post_access] = data.post_access.value
        if data.forum_id is not UNSET:
            changes[Category.forum] = data.forum_id
        raise_problems(*problems)
        await self._check_forum(None if data.forum_id is UNSET else data.forum_id)
        if data.series is not UNSET or data.series_id is not UNSET:
            changes[Category.series] = await self._series_id(
                None if data.series is UNSET else data.series,
                None if data.series_id is UNSET else data.series_id,
            )
        if changes:
            await Category.update(changes).where(Category.id == category_id)
        return await self.get_category(principal, category_id)
