"""The consent ledger and the state derived from it.

The ledger only grows. A person's consent for a forum is derived, pair by pair (medium x
purpose), from their latest event: granted means consent, anything else means none. A decision
made under a notice older than the forum's current *material* version no longer counts: that
pair "needs a new choice" until the person decides again.

For other domains:

- ``record_decisions(user_id, forum_id, decisions, channel, actor_id, locale)`` writes
  decisions inside the caller's transaction (registration records the initial choice with it);
  ``expand_choices`` turns the API's ``ConsentChoice`` list into the decisions it means;
- ``withdrawal_link(user_id, forum_id)`` (from ``consent.links``) for every mail about a forum;
- ``consent_history(user_id)`` for the personal data export.

Notices are in ``consent.notices``, the API's operations in ``consent.services``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec
from piccolo.custom_types import Combinable

from mupass_forum import db
from mupass_forum.clock import now
from mupass_forum.consent import schemas
from mupass_forum.consent.notices import notice_state
from mupass_forum.consent.queries import latest_rows
from mupass_forum.consent.schemas import Channel, Decision, Marker, Medium, PairState, Purpose
from mupass_forum.consent.tables import ConsentEvent, ConsentRelease
from mupass_forum.consent.vocabulary import (
    ALL_PAIRS,
    CHANNEL_LABELS,
    DECISION_LABELS,
    MEDIUM_LABELS,
    PURPOSE_LABELS,
    lazy_text,
    sha256_hex,
)
from mupass_forum.errors import Conflict, FieldError, Gone, InvalidInput
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import N_
from mupass_forum.i18n.text import localize
from mupass_forum.rows import Moment, rows_as

# Recording decisions ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PairDecision:
    """A decision about one medium for one purpose."""

    medium: Medium
    purpose: Purpose
    decision: Decision


def expand_choices(
    choices: Sequence[schemas.ConsentChoice], pointer: str = "/choices"
) -> list[PairDecision]:
    """The pair decisions ``choices`` mean; a pair both granted and refused is refused as input."""
    decided: dict[tuple[Medium, Purpose], Decision] = {}
    problems: list[FieldError] = []
    for index, choice in enumerate(choices):
        for medium in choice.media or list(Medium):
            for purpose in choice.purposes or list(Purpose):
                earlier = decided.setdefault((medium, purpose), choice.decision)
                if earlier != choice.decision:
                    problems.append(
                        FieldError(
                            N_("{medium} for {purpose} is both granted and refused here."),
                            "contradictory_choices",
                            pointer=f"{pointer}/{index}",
                            params={
                                "medium": lazy_text(MEDIUM_LABELS[medium]),
                                "purpose": lazy_text(PURPOSE_LABELS[purpose]),
                            },
                        )
                    )
    if problems:
        raise InvalidInput(*problems)
    return [
        PairDecision(medium, purpose, decided[medium, purpose])
        for medium, purpose in ALL_PAIRS
        if (medium, purpose) in decided
    ]


def refuse_everything() -> list[PairDecision]:
    return [PairDecision(medium, purpose, Decision.REFUSED) for medium, purpose in ALL_PAIRS]


async def record_decisions(
    user_id: int,
    forum_id: int,
    decisions: Sequence[PairDecision],
    channel: Channel,
    actor_id: int | None,
    locale: str,
    *,
    notice_version: int | None = None,
) -> int:
    """Append ``decisions`` to the ledger; joins the caller's transaction. Returns the count.

    Each event records the forum's current notice, the language it was shown in (``locale``,
    or the notice's fallback when it has no text in it) and the SHA-256 of that exact text.
    ``notice_version``, when given, is the version the person was shown: a newer one is a 409.
    """
    if not decisions:
        return 0
    if await ConsentRelease.exists().where(ConsentRelease.forum == forum_id):
        # The forum's ledger was cleared at the end of its proof period: an event written now
        # would be kept for ever.
        raise Gone(
            "consent_released",
            N_(
                "This forum is over and its consent records were deleted when its proof period "
                "ended: nothing more can be recorded for it."
            ),
        )
    async with db.transaction():
        notices = await notice_state(forum_id)
        notice = notices.current
        if notice_version is not None and notice_version != notice.version:
            raise Conflict(
                "consent_notice_changed",
                N_(
                    "The notice has changed since it was shown (version {shown}, now {current}). "
                    "Please read it again and choose."
                ),
                shown=notice_version,
                current=notice.version,
            )
        shown = localize(notice.text, locale)
        digest = sha256_hex(shown.text)
        recorded_at = now()
        await ConsentEvent.insert(
            *(
                ConsentEvent(
                    user=user_id,
                    forum=forum_id,
                    medium=decision.medium.value,
                    purpose=decision.purpose.value,
                    decision=decision.decision.value,
                    notice=notice.id,
                    notice_version=notice.version,
                    notice_locale=shown.locale,
                    notice_sha256=digest,
                    channel=channel.value,
                    actor=actor_id,
                    recorded_at=recorded_at,
                )
                for decision in decisions
            )
        )
    return len(decisions)


# Deriving the state ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatestDecision:
    decision: Decision
    notice_version: int
    recorded_at: datetime


#: Per person, their latest decision for each pair they decided.
Latest = dict[int, dict[tuple[Medium, Purpose], LatestDecision]]


async def latest_decisions(forum_id: int, user_id: int | None = None) -> Latest:
    """The latest decision per person and pair for a forum (one person when ``user_id``)."""
    rows = await latest_rows(forum_id, user_id)
    latest: Latest = {}
    for row in rows:
        latest.setdefault(row.user_id, {})[row.medium, row.purpose] = LatestDecision(
            row.decision, row.notice_version, row.recorded_at
        )
    return latest


def pair_state(latest: LatestDecision | None, material_version: int) -> PairState:
    if latest is None:
        return PairState.UNDECIDED
    if latest.notice_version < material_version:
        return PairState.NEEDS_NEW_CHOICE
    return PairState.GRANTED if latest.decision == Decision.GRANTED else PairState.REFUSED


def pair_states(
    decisions: Mapping[tuple[Medium, Purpose], LatestDecision], material_version: int
) -> dict[tuple[Medium, Purpose], PairState]:
    return {pair: pair_state(decisions.get(pair), material_version) for pair in ALL_PAIRS}


def marker_of(states: Mapping[tuple[Medium, Purpose], PairState]) -> Marker:
    """Green: every pair granted; yellow: some; red: none (whatever the reason)."""
    granted = sum(1 for state in states.values() if state == PairState.GRANTED)
    if granted == len(ALL_PAIRS):
        return Marker.GREEN
    return Marker.YELLOW if granted else Marker.RED


def needs_choice(states: Mapping[tuple[Medium, Purpose], PairState]) -> bool:
    return any(
        state in (PairState.UNDECIDED, PairState.NEEDS_NEW_CHOICE) for state in states.values()
    )


_EVENT_COLUMNS = (
    ConsentEvent.id,
    ConsentEvent.forum.slug.as_alias("forum_slug"),
    ConsentEvent.medium,
    ConsentEvent.purpose,
    ConsentEvent.decision,
    ConsentEvent.notice_version,
    ConsentEvent.notice_locale,
    ConsentEvent.notice_sha256,
    ConsentEvent.channel,
    ConsentEvent.actor,
    ConsentEvent.recorded_at,
)


class _EventRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    forum_slug: str
    medium: str
    purpose: str
    decision: str
    notice_version: int
    notice_locale: str
    notice_sha256: str
    channel: str
    actor: int | None
    recorded_at: Moment


def _event(row: _EventRow) -> schemas.ConsentEvent:
    return schemas.ConsentEvent(
        id=row.id,
        forum_slug=row.forum_slug,
        medium=label_of(row.medium, MEDIUM_LABELS),
        purpose=label_of(row.purpose, PURPOSE_LABELS),
        decision=label_of(row.decision, DECISION_LABELS),
        notice_version=row.notice_version,
        notice_locale=row.notice_locale,
        notice_sha256=row.notice_sha256,
        channel=label_of(row.channel, CHANNEL_LABELS),
        actor_id=row.actor,
        recorded_at=row.recorded_at,
    )


async def history(*conditions: Combinable) -> list[schemas.ConsentEvent]:
    rows = (
        await ConsentEvent.select(*_EVENT_COLUMNS)
        .where(*conditions)
        .order_by(ConsentEvent.id, ascending=False)
    )
    return [_event(row) for row in rows_as(rows, _EventRow)]


async def consent_history(user_id: int) -> schemas.ConsentHistory:
    """Every consent event of a person, all forums, newest first (for the data export)."""
    return schemas.ConsentHistory(events=await history(ConsentEvent.user == user_id))
