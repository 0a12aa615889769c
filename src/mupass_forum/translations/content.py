"""The kinds of content translators translate, and where each keeps its texts.

Every kind is a table whose translatable fields are JSON columns holding
``TranslatableText.to_json()``, with a timestamp of its last change (the queue's order) and,
for content that belongs to a forum, the path to that forum (so that the forum's visibility
filters it in the same query). Consent notices are reported for completeness but are no kind
here: a published version is never edited, so a missing language is added by publishing a new,
non-material version through the consent API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from mupass_forum.board.categories import DESCRIPTION_LENGTH, NAME_LENGTH
from mupass_forum.board.tables import Category
from mupass_forum.forums.tables import Forum, ProgrammeItem
from mupass_forum.forums.terms import MAX_TEXT, MAX_TITLE
from mupass_forum.i18n import N_

_LOCALE = re.compile(r"^[a-z]{2,3}(?:_[A-Z]{2})?$")


@dataclass(frozen=True, slots=True)
class ContentKind:
    """One kind of translatable content."""

    #: The name in task ids and the change log.
    name: str
    #: Its name for readers (``N_``-marked).
    label: str
    table: type[Table]
    #: Translatable field -> the longest text the domain accepts in it.
    fields: Mapping[str, int]
    #: Set to the time of a translation; None where the table keeps only its creation.
    updated_at: Column | None = None
    #: Content that may belong to no forum (a board category): seen by every translator.
    forum_optional: bool = False

    @property
    def id(self) -> Column:
        return self.table._meta.primary_key

    @property
    def changed_at(self) -> Column:
        """When the content was last changed, or written where the table keeps only that."""
        if self.updated_at is not None:
            return self.updated_at
        return self.table._meta.get_column_by_name("created_at")

    @property
    def forum(self) -> Any:
        """``Forum`` for a forum's own texts, the table's foreign key ``forum`` for its parts."""
        return Forum if self.table is Forum else self.table._meta.get_column_by_name("forum")

    @property
    def forum_id(self) -> Any:
        return self.forum.id if self.forum is Forum else self.forum

    @property
    def forum_slug(self) -> Column:
        """The forum's slug, from the kind's table."""
        slug: Column = self.forum.slug
        return slug

    def column(self, field: str) -> Column:
        column: Column = getattr(self.table, field)
        return column

    def missing_in(self, locales: Iterable[str]) -> WhereRaw:
        """Rows with a field that exists but lacks one of ``locales`` (same SQL on both engines).

        The locales are inlined: they are checked against a strict pattern, and a bound
        parameter after ``->>`` is ambiguous to PostgreSQL.
        """
        checks = []
        for field in self.fields:
            column = f'"{self.table._meta.tablename}"."{field}"'
            for locale in locales:
                if not _LOCALE.match(locale):
                    raise ValueError(f"not a locale: {locale!r}")
                texts = f"{column} -> 'texts'"
                checks.append(f"({texts} IS NOT NULL AND {texts} ->> '{locale}' IS NULL)")
        return WhereRaw(f"({' OR '.join(checks)})" if checks else "1 = 0")


FORUM = ContentKind(
    name="forum",
    # i18n: A kind of content to translate: a forum's own texts.
    label=N_("Forum"),
    table=Forum,
    fields={"title": MAX_TITLE, "summary": MAX_TEXT, "description": MAX_TEXT},
    updated_at=Forum.updated_at,
)

PROGRAMME_ITEM = ContentKind(
    name="programme_item",
    # i18n: A kind of content to translate: a programme item's texts.
    label=N_("Programme item"),
    table=ProgrammeItem,
    fields={"title": MAX_TITLE, "description": MAX_TEXT},
    updated_at=ProgrammeItem.updated_at,
)

BOARD_CATEGORY = ContentKind(
    name="board_category",
    # i18n: A kind of content to translate: a board category's texts.
    label=N_("Board category"),
    table=Category,
    fields={"name": NAME_LENGTH, "description": DESCRIPTION_LENGTH},
    forum_optional=True,
)

#: In the queue's order for content changed at the same instant; board posts come last.
KINDS: tuple[ContentKind, ...] = (FORUM, PROGRAMME_ITEM, BOARD_CATEGORY)

#: Board posts whose translation was asked for: the board keeps the requests and the versions.
BOARD_POST = "board_post"
# i18n: A kind of content to translate: a post on the dialogue board.
BOARD_POST_LABEL = N_("Board post")
#: The longest translation of a post (the board's own limit for a post's text).
BOARD_POST_LENGTH = 20_000

# i18n: A kind of content to translate: a forum's photo and video notice.
CONSENT_NOTICE_LABEL = N_("Consent notice")


def kind_named(name: str) -> ContentKind | None:
    return next((kind for kind in KINDS if kind.name == name), None)
