"""The board's raw SQL: ``{}`` placeholders that Piccolo compiles for either engine."""

from __future__ import annotations

from typing import Any

import msgspec

from mupass_forum.board.authorization import CategoryAccess
from mupass_forum.board.schemas import Person
from mupass_forum.board.tables import Post
from mupass_forum.i18n import gettext
from mupass_forum.privacy.registry import FORMER_PARTICIPANT

#: What a unique index violation raises on either engine.


async def query(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run ``sql`` with ``args`` in place of its ``{}`` placeholders; rows as dicts."""
    return list(await Post.raw(sql, *args).run())


def person(user_id: int, name: str | None) -> Person:
    """Someone as the board names them; an erased account has no name left."""
    return Person(id=int(user_id), display_name=str(name or "") or gettext(FORMER_PARTICIPANT))


#: The columns ``AccessRow`` reads, from a query joining the category as ``c``.
ACCESS_COLUMNS = (
    "c.id AS c_id, c.read_access AS c_read_access, c.post_access AS c_post_access, "
    "c.forum_id AS c_forum_id"
)


class AccessRow(msgspec.Struct, frozen=True, kw_only=True):
    """A category's access fields as ``ACCESS_COLUMNS`` read them."""

    c_id: int
    c_read_access: str
    c_post_access: str
    c_forum_id: int | None

    @property
    def access(self) -> CategoryAccess:
        return CategoryAccess(
            id=self.c_id,
            read_access=self.c_read_access,
            post_access=self.c_post_access,
            forum_id=self.c_forum_id,
        )
