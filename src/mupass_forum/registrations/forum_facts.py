"""What every mail and document about a forum says of it, in each recipient's language, and
where its links point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.app_context import current
from mupass_forum.clock import as_utc
from mupass_forum.errors import NotFound
from mupass_forum.i18n import N_, format_date_interval, gettext
from mupass_forum.i18n.text import TranslatableText


@dataclass(frozen=True, slots=True)
class ForumFacts:
    """What every mail about a forum says, put into words in each recipient's language."""

    slug: str
    title: TranslatableText
    starts_at: datetime
    ends_at: datetime
    zone: ZoneInfo
    city: str
    venue: str

    def context(self) -> dict[str, Any]:
        return {
            "forum": LazyProxy(self.title.best, enable_cache=False),
            "dates": LazyProxy(self.dates, enable_cache=False),
        }

    def dates(self) -> str:
        """The forum's first and last day, on its own calendar."""
        return format_date_interval(
            self.starts_at.astimezone(self.zone).date(), self.ends_at.astimezone(self.zone).date()
        )

    def link(self, path: str) -> str:
        return current().base_url + path.format(slug=self.slug)


async def forum_facts(forum_id: int) -> ForumFacts:
    rows = await db.read_indexed(_FACTS, forum_id)
    if not rows:
        raise NotFound("forum_not_found")
    return facts_from_row(rows[0])


def facts_from_row(row: Mapping[str, Any]) -> ForumFacts:
    """The facts from a row with ``FACTS_COLUMNS``."""
    return ForumFacts(
        slug=row["slug"],
        title=TranslatableText.from_json(row["title"]),
        starts_at=as_utc(row["starts_at"]),
        ends_at=as_utc(row["ends_at"]),
        zone=ZoneInfo(row["timezone"]),
        city=row["venue_city"],
        venue=row["venue_name"],
    )


#: What ``facts_from_row`` reads, of the forum as ``f``.
FACTS_COLUMNS = "f.slug, f.title, f.starts_at, f.ends_at, f.timezone, f.venue_city, f.venue_name"

# A read by key, inline on SQLite: mails about a forum are often rendered in a crowd.
_FACTS = f"SELECT {FACTS_COLUMNS} FROM forum f WHERE f.id = {{}}"  # noqa: S608


def reason_text(reason: str) -> Any:
    # i18n: Shown after "Reason given:" when the organizers gave none.
    return reason or LazyProxy(gettext, N_("none given"), enable_cache=False)
