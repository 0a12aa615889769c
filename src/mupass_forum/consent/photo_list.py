"""The photo list: who may be photographed or filmed, for the forum's photographers.

One entry per registered participant (a confirmed seat, or checked in) with their badge
number, badge marker (see ``ledger.marker_of``), name, organization and the uses they granted
for photos and for videos. It is built from the ledger on every request and never cached, so a
decision shows at once. The list is sorted for the door: by family name, then given name, in
the reader's collation (``sort=badge`` for badge order). It comes as JSON, as CSV (like every
export: UTF-8 with a byte order mark, ``;`` between fields for German, French and Spanish
readers, ``,`` for English ones) and as a print-friendly HTML page,
all in the reader's language.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import msgspec

from mupass_forum.accounts.principal import Principal
from mupass_forum.consent import services
from mupass_forum.consent.ledger import latest_decisions, marker_of, needs_choice, pair_states
from mupass_forum.consent.notices import notice_state
from mupass_forum.consent.pages import marker_badge, page
from mupass_forum.consent.schemas import Marker, Medium, PairState, Purpose
from mupass_forum.consent.stats import people, photo_list_forum
from mupass_forum.consent.vocabulary import MARKER_LABELS, PURPOSE_LABELS
from mupass_forum.downloads import file_name
from mupass_forum.forums.schemas import Label
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import N_, format_datetime, gettext
from mupass_forum.i18n.collation import sort_key
from mupass_forum.i18n.text import LocalizedText
from mupass_forum.spreadsheets import csv_bytes


class PhotoListOrder(StrEnum):
    NAME = "name"
    BADGE = "badge"


class PhotoListFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    HTML = "html"


class PhotoListEntry(msgspec.Struct):
    user_id: int
    #: Null until the registration is confirmed.
    badge_number: int | None
    given_name: str
    family_name: str
    organization: str
    marker: Label
    #: The uses granted for photos and for videos (empty: none).
    photo: list[Label]
    video: list[Label]
    #: A decision predates the current material notice, or nothing is decided yet.
    needs_choice: bool


class PhotoList(msgspec.Struct):
    forum_slug: str
    forum_title: LocalizedText
    generated_at: datetime
    notice_version: int
    #: What each marker means, in the reader's language.
    legend: list[Label]
    entries: list[PhotoListEntry]


def _sorted(entries: list[PhotoListEntry], order: PhotoListOrder) -> list[PhotoListEntry]:
    by_name = sorted(
        entries,
        key=lambda entry: (
            sort_key(entry.family_name),
            sort_key(entry.given_name),
            entry.badge_number or 0,
            entry.user_id,
        ),
    )
    if order == PhotoListOrder.NAME:
        return by_name
    # People without a badge number yet come last, by name.
    return sorted(by_name, key=lambda entry: (entry.badge_number is None, entry.badge_number or 0))


def _granted(states: Mapping[tuple[Medium, Purpose], PairState], medium: Medium) -> list[Label]:
    return [
        label_of(purpose, PURPOSE_LABELS)
        for purpose in Purpose
        if states[medium, purpose] == PairState.GRANTED
    ]


async def photo_list(
    principal: Principal, slug: str, order: PhotoListOrder = PhotoListOrder.NAME
) -> PhotoList:
    """The forum's photo list (its photographers and those who organize it)."""
    forum = await photo_list_forum(principal, slug)
    notices = await notice_state(forum.id)
    latest = await latest_decisions(forum.id)
    entries = []
    for person in await people(forum.id):
        if person.erased:
            continue
        states = pair_states(latest.get(person.user_id, {}), notices.material_version)
        entries.append(
            PhotoListEntry(
                user_id=person.user_id,
                badge_number=person.badge_number,
                given_name=person.given_name,
                family_name=person.family_name,
                organization=person.organization,
                marker=label_of(marker_of(states), MARKER_LABELS),
                photo=_granted(states, Medium.PHOTO),
                video=_granted(states, Medium.VIDEO),
                needs_choice=needs_choice(states),
            )
        )
    return PhotoList(
        forum_slug=forum.slug,
        forum_title=await services.forum_title(forum.id),
        generated_at=datetime.now(UTC),
        notice_version=notices.current.version,
        legend=[label_of(marker, MARKER_LABELS) for marker in Marker],
        entries=_sorted(entries, order),
    )


# Renderings ------------------------------------------------------------------------------------

COLUMNS: tuple[str, ...] = (
    # i18n: Column of the photo list: the number printed on the badge.
    N_("Badge"),
    N_("Family name"),
    N_("Given name"),
    N_("Organization"),
    # i18n: Column of the photo list: the colour marker on the badge.
    N_("Marker"),
    # i18n: Column of the photo list: the uses photos of the person may be put to.
    N_("Photos for"),
    N_("Videos for"),
    N_("New choice needed"),
)


def _uses(labels: Sequence[Label]) -> str:
    return ", ".join(item.label for item in labels) if labels else "–"


def _yes_no(value: bool) -> str:
    return gettext(N_("Yes")) if value else gettext(N_("No"))


def _cells(entry: PhotoListEntry) -> list[str]:
    return [
        str(entry.badge_number) if entry.badge_number is not None else "",
        entry.family_name,
        entry.given_name,
        entry.organization,
        entry.marker.label,
        _uses(entry.photo),
        _uses(entry.video),
        _yes_no(entry.needs_choice),
    ]


def as_csv(listing: PhotoList) -> bytes:
    """The list as CSV like every export of the service: UTF-8 with a byte order mark, ``;``
    between fields where the reader's language writes decimal commas, else ``,``."""
    header = [gettext(column) for column in COLUMNS]
    return csv_bytes([header, *(_cells(entry) for entry in listing.entries)])


def as_html(listing: PhotoList) -> str:
    """A page to print or show at the door: one row per person, the legend on top."""
    escape = html.escape
    title = gettext(N_("Photo list: {forum}"), forum=listing.forum_title.text)
    generated = gettext(
        N_("As of {moment}, notice version {version}. Consent can change at any time."),
        moment=format_datetime(listing.generated_at),
        version=listing.notice_version,
    )
    legend = "".join(f"<li>{marker_badge(item)}</li>" for item in listing.legend)
    head = "".join(f"<th>{escape(gettext(column))}</th>" for column in COLUMNS)
    rows = []
    for entry in listing.entries:
        cells = _cells(entry)
        cells_html = [escape(cell) for cell in cells]
        cells_html[4] = marker_badge(entry.marker)
        rows.append(
            f'<tr class="{escape(entry.marker.value, quote=True)}">'
            + "".join(f"<td>{cell}</td>" for cell in cells_html)
            + "</tr>"
        )
    empty = gettext(N_("Nobody is on the list yet."))
    body_rows = "\n".join(rows) or f'<tr><td colspan="{len(COLUMNS)}">{escape(empty)}</td></tr>'
    body = (
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="note">{escape(generated)}</p>\n'
        f'<ul class="legend">{legend}</ul>\n'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body_rows}\n</tbody>\n</table>"
    )
    return page(title, body)


def filename(listing: PhotoList, extension: str) -> str:
    # i18n: A file name (lower case, words joined by hyphens, no spaces).
    return file_name(N_("photo-list-{forum}"), extension, forum=listing.forum_slug)


def media_type_for(chosen: PhotoListFormat) -> str:
    return {
        PhotoListFormat.JSON: "application/json",
        PhotoListFormat.CSV: "text/csv; charset=utf-8",
        PhotoListFormat.HTML: "text/html; charset=utf-8",
    }[chosen]


def negotiated(asked: PhotoListFormat | None, accept: Any) -> PhotoListFormat:
    """``?format=`` when given, else what the ``Accept`` header prefers, else JSON."""
    if asked is not None:
        return asked
    best = accept.best_match(["application/json", "text/csv", "text/html"])
    return {"text/csv": PhotoListFormat.CSV, "text/html": PhotoListFormat.HTML}.get(
        best, PhotoListFormat.JSON
    )
