"""Badges: the lines to print, which changed since the last print, the sheets as PDF."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mupass_forum import db, regions
from mupass_forum.accounts.principal import Principal
from mupass_forum.clock import now
from mupass_forum.consent import ledger, vocabulary
from mupass_forum.consent.notices import notice_state
from mupass_forum.consent.schemas import Marker
from mupass_forum.documents import rendering, schemas
from mupass_forum.documents.people import BADGE_WORDS, CHECK_IN_PATH, base_url, people_of
from mupass_forum.documents.tables import BadgePrint
from mupass_forum.downloads import file_name
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import editable_forum
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import (
    N_,
    current_locale,
)
from mupass_forum.registrations.forum_facts import forum_facts

# Badges ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _BadgeLine:
    badge: schemas.Badge
    marker: Marker
    fingerprint: str
    check_in_url: str


async def _badge_lines(forum: ForumRef) -> list[_BadgeLine]:
    people = await people_of(forum.id, " AND r.status IN ('confirmed', 'attended')")
    notices = await notice_state(forum.id)
    latest = await ledger.latest_decisions(forum.id)
    printed = {
        row["registration"]: row["printed_at"]
        for row in await BadgePrint.raw(
            "SELECT b.registration, b.printed_at FROM document_badge_print b "
            "JOIN registration r ON r.id = b.registration WHERE r.forum = {}",
            forum.id,
        )
    }
    lines = []
    for person in people:
        if person.badge_number is None:
            continue
        states = ledger.pair_states(latest.get(person.user_id, {}), notices.material_version)
        marker = ledger.marker_of(states)
        shown = "\x1f".join(
            (person.name, person.organization, person.country or "", str(person.badge_number))
        )
        fingerprint = hashlib.sha256(f"{shown}\x1f{marker.value}".encode()).hexdigest()
        lines.append(
            _BadgeLine(
                badge=schemas.Badge(
                    registration_id=person.registration_id,
                    badge_number=person.badge_number,
                    name=person.name,
                    organization=person.organization,
                    country=person.country,
                    marker=label_of(marker, vocabulary.MARKER_LABELS),
                    printed_at=printed.get(person.registration_id),
                ),
                marker=marker,
                fingerprint=fingerprint,
                check_in_url=base_url()
                + CHECK_IN_PATH.format(slug=forum.slug, number=person.badge_number),
            )
        )
    lines.sort(key=lambda line: line.badge.badge_number)
    return lines


def _changed(line: _BadgeLine, printed: Mapping[int, str]) -> bool:
    return printed.get(line.badge.registration_id) != line.fingerprint


async def _printed(forum_id: int) -> dict[int, str]:
    rows = await BadgePrint.raw(
        "SELECT b.registration, b.printed FROM document_badge_print b "
        "JOIN registration r ON r.id = b.registration WHERE r.forum = {}",
        forum_id,
    )
    return {row["registration"]: row["printed"] for row in rows}


async def changed_badges(principal: Principal, slug: str) -> schemas.BadgeList:
    """Badges never printed, or printed before a name or consent changed (organizers)."""
    forum = await editable_forum(principal, slug)
    printed = await _printed(forum.id)
    lines = await _badge_lines(forum)
    return schemas.BadgeList(items=[line.badge for line in lines if _changed(line, printed)])


async def badges_pdf(
    principal: Principal, slug: str, request: schemas.BadgePrintRequest
) -> tuple[str, bytes]:
    """Print the forum's badges (all, or those changed since printing) and remember what each
    showed (organizers)."""
    forum = await editable_forum(principal, slug)
    printed = await _printed(forum.id)
    lines = await _badge_lines(forum)
    if request.which is schemas.BadgeSelection.CHANGED:
        lines = [line for line in lines if _changed(line, printed)]
    facts = await forum_facts(forum.id)
    html = rendering.render_html(
        "documents/badges.html",
        {
            "layout": request.layout.value,
            "sheets": _sheets(lines, 4 if request.layout is schemas.BadgeLayout.A4 else 1),
            "forum_title": facts.title.best(),
            "dates": facts.dates(),
            "words": {marker.value: BADGE_WORDS[marker] for marker in Marker},
            "qr": rendering.qr_data_uri,
            "country_name": regions.name,
            "lang": current_locale(),
        },
    )
    pdf = await rendering.render_pdf(html)
    at = now()
    async with db.transaction():
        for line in lines:
            updated = (
                await BadgePrint.update(
                    {BadgePrint.printed: line.fingerprint, BadgePrint.printed_at: at}
                )
                .where(BadgePrint.registration == line.badge.registration_id)
                .returning(BadgePrint.id)
            )
            if not updated:
                await BadgePrint.insert(
                    BadgePrint(
                        registration=line.badge.registration_id,
                        printed=line.fingerprint,
                        printed_at=at,
                    )
                )
    # i18n: A file name (lower case, words joined by hyphens, no spaces); {layout} is "a6"
    # or "a4".
    name = file_name(
        N_("badges-{forum}-{layout}"), "pdf", forum=forum.slug, layout=request.layout.value
    )
    return name, pdf


def _sheets(lines: Sequence[_BadgeLine], per_sheet: int) -> list[list[_BadgeLine]]:
    return [list(lines[start : start + per_sheet]) for start in range(0, len(lines), per_sheet)]
