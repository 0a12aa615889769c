"""A forum and its programme as an RFC 5545 iCalendar file.

Times are written as local times with a ``TZID`` and a ``VTIMEZONE`` for the forum's zone
(covering the forum's year), so calendar programs show 09:30 in Bonn as 09:30 in Bonn and
convert correctly for readers elsewhere, across daylight-saving changes. UIDs are built from
database ids and the service's host, so that importing the file again updates the events
instead of duplicating them.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from mupass_forum import __version__
from mupass_forum.accounts.principal import Principal
from mupass_forum.forums.programme import programme_rows
from mupass_forum.forums.queries import forum_ref, get_forum
from mupass_forum.i18n import N_, format_date, gettext
from mupass_forum.i18n.locale import current_locale
from mupass_forum.i18n.text import TranslatableText

#: Litestar adds ``; charset=utf-8`` to text types itself.
MEDIA_TYPE = "text/calendar"

# i18n: A note in a calendar file on its time zone's rules; {first} and {last} are dates.
TIMEZONE_SPAN = N_("The rules of the time zone {timezone} given here hold from {first} to {last}.")


def _host(base_url: str) -> str:
    return urlsplit(base_url).hostname or "localhost"


async def forum_calendar(principal: Principal, slug: str, base_url: str) -> bytes:
    """The calendar of a forum the caller may see, titles in the reader's language."""
    forum = await get_forum(principal, slug)
    ref = await forum_ref(slug)
    zone = ZoneInfo(forum.timezone)
    host = _host(base_url)
    stamp = datetime.now(zone)

    calendar = Calendar()
    calendar.add("prodid", f"-//mupass-forum//{__version__}//{current_locale().upper()}")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", forum.title.text)
    calendar.add("x-wr-timezone", forum.timezone)
    first, last = date(forum.starts_at.year, 1, 1), date(forum.ends_at.year + 1, 1, 1)
    timezone = Timezone.from_tzinfo(zone, tzid=forum.timezone, first_date=first, last_date=last)
    # icalendar writes its own English note on the rules' span; the reader gets theirs.
    timezone.pop("COMMENT", None)
    timezone.add(
        "comment",
        gettext(
            TIMEZONE_SPAN,
            timezone=forum.timezone,
            first=format_date(first, "medium"),
            last=format_date(last, "medium"),
        ),
    )
    calendar.add_component(timezone)

    location = ", ".join(
        part
        for part in (
            forum.venue.name,
            forum.venue.address,
            forum.venue.city,
            forum.venue.country_name,
        )
        if part
    )
    event = Event()
    event.add("uid", f"forum-{forum.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", forum.starts_at)
    event.add("dtend", forum.ends_at)
    event.add("summary", forum.title.text)
    if forum.summary is not None:
        event.add("description", forum.summary.text)
    if location:
        event.add("location", location)
    event.add("status", "CANCELLED" if forum.status.value == "cancelled" else "CONFIRMED")
    event.add("url", f"{base_url}/api/v1/forums/{forum.slug}")
    calendar.add_component(event)

    locale = current_locale()
    for row in await programme_rows(ref.id):
        item = Event()
        item.add("uid", f"programme-item-{row['id']}@{host}")
        item.add("dtstamp", stamp)
        item.add("dtstart", row["starts_at"].astimezone(zone))
        item.add("dtend", row["ends_at"].astimezone(zone))
        item.add("summary", TranslatableText.from_json(row["title"]).best(locale))
        if row["description"]:
            item.add("description", TranslatableText.from_json(row["description"]).best(locale))
        room = ", ".join(part for part in (row["room"], forum.venue.name) if part)
        if room:
            item.add("location", room)
        item.add("related-to", f"forum-{forum.id}@{host}")
        if forum.status.value == "cancelled":
            item.add("status", "CANCELLED")
        calendar.add_component(item)
    return bytes(calendar.to_ical())
