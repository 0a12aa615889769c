"""Consent notices, the consent ledger and the state derived from it: every query and rule.

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
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.support import LazyProxy

from mupass_forum import db
from mupass_forum.accounts.authorization import any_of, as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.tables import User
from mupass_forum.clock import as_utc, now
from mupass_forum.consent import schemas
from mupass_forum.consent.links import WithdrawalGrant, read_withdrawal_token, withdrawal_link
from mupass_forum.consent.mails import CONSENT_RECORDED
from mupass_forum.consent.schemas import Channel, Decision, Marker, Medium, PairState, Purpose
from mupass_forum.consent.tables import ConsentEvent, ConsentNotice, ConsentRelease
from mupass_forum.errors import Conflict, FieldError, Gone, InvalidInput, NotFound
from mupass_forum.forums.authorization import ForumRef, edits_forum, is_forum_photographer
from mupass_forum.forums.queries import editable_forum, forum_ref_by_id, visible_forum
from mupass_forum.forums.schemas import Label
from mupass_forum.forums.tables import Forum
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import N_, format_percent, gettext, use_locale
from mupass_forum.i18n.locale import SOURCE_LOCALE, current_locale, supported_locales
from mupass_forum.i18n.locale import catalogs as i18n_catalogs
from mupass_forum.i18n.text import LocalizedText, TranslatableText, localize, parse_text
from mupass_forum.mail import queue_mail
from mupass_forum.validation import locale_problem, raise_problems

MAX_NOTICE = 10_000

# Vocabulary ------------------------------------------------------------------------------------

MEDIUM_LABELS: Mapping[Medium, str] = {
    Medium.PHOTO: N_("Photos"),
    Medium.VIDEO: N_("Videos"),
}

PURPOSE_LABELS: Mapping[Purpose, str] = {
    # i18n: A use of photos and videos: the organizers' own records of the forum.
    Purpose.INTERNAL: N_("Internal documentation"),
    Purpose.WEBSITE: N_("Website and publications"),
    Purpose.SOCIAL_MEDIA: N_("Social media"),
    Purpose.PRESS: N_("Press"),
}

DECISION_LABELS: Mapping[Decision, str] = {
    # i18n: A consent decision: the person agreed.
    Decision.GRANTED: N_("Granted"),
    # i18n: A consent decision: not agreed, or agreement withdrawn.
    Decision.REFUSED: N_("Refused"),
}

STATE_LABELS: Mapping[PairState, str] = {
    PairState.GRANTED: N_("Granted"),
    PairState.REFUSED: N_("Refused"),
    PairState.UNDECIDED: N_("Not decided"),
    # i18n: The consent notice changed materially since the person decided.
    PairState.NEEDS_NEW_CHOICE: N_("New choice needed"),
}

CHANNEL_LABELS: Mapping[Channel, str] = {
    Channel.REGISTRATION: N_("With the registration"),
    Channel.SELF_SERVICE: N_("By the participant, signed in"),
    Channel.SIGNED_LINK: N_("With the link in a mail"),
    # i18n: Recorded at the forum by an organizer, as the person said.
    Channel.ON_SITE: N_("On site, by an organizer on the participant's word"),
}

MARKER_LABELS: Mapping[Marker, str] = {
    # i18n: Badge marker: photos and videos may be taken for every use.
    Marker.GREEN: N_("Green: photos and videos for every use"),
    # i18n: Badge marker: only some media or uses are allowed; check the list.
    Marker.YELLOW: N_("Yellow: some uses only"),
    # i18n: Badge marker: no photos or videos of this person.
    Marker.RED: N_("Red: no photos or videos"),
}

#: Every (medium, purpose) pair, in the order lists show them.
ALL_PAIRS: tuple[tuple[Medium, Purpose], ...] = tuple(
    (medium, purpose) for medium in Medium for purpose in Purpose
)

#: The notice a forum has until its organizers publish their own; translated in the catalogs
#: and stored, in every language, as version 1 the first time the forum's notice is needed.
DEFAULT_NOTICE: tuple[str, ...] = (
    # i18n: Heading of the default photo and video notice of a forum.
    N_("Photos and videos at this forum"),
    N_(
        "During the forum, the organizers and photographers working for them take photos and "
        "make video recordings. They use them to document the forum and, with your consent, "
        "to report on it: on their websites and in their publications, on social media and in "
        "material for the press."
    ),
    N_(
        "You decide separately for photos and for videos, and for each of these uses. Without "
        "your consent, no photo or video in which you can be recognised is published. Your "
        "badge shows the photographers what you have chosen."
    ),
    N_(
        "You can change your choice or withdraw your consent at any time, free of charge and "
        "without giving reasons: in your account, with the link in every mail about the forum, "
        "or by telling the organizers. At the forum, you can also tell the photographer at any "
        "moment that you do not want to be photographed or filmed. A withdrawal applies from "
        "then on; material published before it is removed where this is possible."
    ),
)


def default_notice_text() -> TranslatableText:
    """The default notice in every language of the service whose catalog translates it.

    A published notice never changes, and people consent to its text: a language whose
    catalog lacks any paragraph gets no text of its own (its readers are served another
    language, marked as such) rather than the English text stored under its code for good.
    """
    installed = i18n_catalogs()
    texts: dict[str, str] = {}
    for locale in supported_locales():
        if locale != SOURCE_LOCALE and not all(
            installed.is_translated(locale, paragraph) for paragraph in DEFAULT_NOTICE
        ):
            continue
        with use_locale(locale):
            texts[locale] = "\n\n".join(gettext(paragraph) for paragraph in DEFAULT_NOTICE)
    if not texts:
        texts[SOURCE_LOCALE] = "\n\n".join(DEFAULT_NOTICE)
    return TranslatableText(
        texts=texts, original=SOURCE_LOCALE if SOURCE_LOCALE in texts else next(iter(texts))
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


def _notice(row: Mapping[str, Any]) -> Notice:
    return Notice(
        id=row["id"],
        forum_id=row["forum"],
        version=row["version"],
        text=TranslatableText.from_json(row["text"]),
        material=bool(row["material"]),
        published_at=row["published_at"],
        published_by=row["published_by"],
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


def _notice_out(
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
        return _notice_out(slug, state.current, state.material_version)
    row = (
        await ConsentNotice.select(*_NOTICE_COLUMNS)
        .where(ConsentNotice.forum == forum.id, ConsentNotice.version == version)
        .first()
    )
    if row is None:
        raise NotFound("consent_notice_not_found")
    return _notice_out(slug, _notice(row), state.material_version)


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
    return _notice_out(slug, state.current, state.material_version)


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
                                "medium": _lazy(MEDIUM_LABELS[medium]),
                                "purpose": _lazy(PURPOSE_LABELS[purpose]),
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


def _lazy(message: str) -> LazyProxy:
    """``message`` translated when the text it is put in is rendered."""
    return LazyProxy(gettext, message, enable_cache=False)


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

_LATEST = """
SELECT e."user" AS user_id, e.medium, e.purpose, e.decision, e.notice_version, e.recorded_at
FROM consent_event e
WHERE e.forum = {{}}{person}
  AND e.id = (
    SELECT max(l.id) FROM consent_event l
    WHERE l.forum = e.forum AND l."user" = e."user" AND l.medium = e.medium
      AND l.purpose = e.purpose
  )
"""


async def latest_decisions(forum_id: int, user_id: int | None = None) -> Latest:
    """The latest decision per person and pair for a forum (one person when ``user_id``)."""
    if user_id is None:
        rows = await ConsentEvent.raw(_LATEST.format(person=""), forum_id)
    else:
        rows = await ConsentEvent.raw(
            _LATEST.format(person=' AND e."user" = {}'), forum_id, user_id
        )
    latest: Latest = {}
    for row in rows:
        latest.setdefault(row["user_id"], {})[Medium(row["medium"]), Purpose(row["purpose"])] = (
            LatestDecision(
                Decision(row["decision"]), row["notice_version"], as_utc(row["recorded_at"])
            )
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


def _event(row: Mapping[str, Any]) -> schemas.ConsentEvent:
    return schemas.ConsentEvent(
        id=row["id"],
        forum_slug=row["forum_slug"],
        medium=label_of(row["medium"], MEDIUM_LABELS),
        purpose=label_of(row["purpose"], PURPOSE_LABELS),
        decision=label_of(row["decision"], DECISION_LABELS),
        notice_version=row["notice_version"],
        notice_locale=row["notice_locale"],
        notice_sha256=row["notice_sha256"],
        channel=label_of(row["channel"], CHANNEL_LABELS),
        actor_id=row["actor"],
        recorded_at=row["recorded_at"],
    )


async def _history(*conditions: Any) -> list[schemas.ConsentEvent]:
    rows = (
        await ConsentEvent.select(*_EVENT_COLUMNS)
        .where(*conditions)
        .order_by(ConsentEvent.id, ascending=False)
    )
    return [_event(row) for row in rows]


async def consent_history(user_id: int) -> schemas.ConsentHistory:
    """Every consent event of a person, all forums, newest first (for the data export)."""
    return schemas.ConsentHistory(events=await _history(ConsentEvent.user == user_id))


async def _state_of(forum: ForumRef, user_id: int) -> schemas.ConsentState:
    notices = await notice_state(forum.id)
    decisions = (await latest_decisions(forum.id, user_id)).get(user_id, {})
    states = pair_states(decisions, notices.material_version)
    pairs = [
        schemas.PairStatus(
            medium=label_of(medium, MEDIUM_LABELS),
            purpose=label_of(purpose, PURPOSE_LABELS),
            state=label_of(states[medium, purpose], STATE_LABELS),
            consents=states[medium, purpose] == PairState.GRANTED,
            decided_at=decided.recorded_at if decided else None,
            notice_version=decided.notice_version if decided else None,
        )
        for medium, purpose in ALL_PAIRS
        for decided in (decisions.get((medium, purpose)),)
    ]
    return schemas.ConsentState(
        forum_slug=forum.slug,
        user_id=user_id,
        marker=label_of(marker_of(states), MARKER_LABELS),
        needs_choice=needs_choice(states),
        notice=_notice_out(forum.slug, notices.current, notices.material_version),
        pairs=pairs,
        history=await _history(ConsentEvent.forum == forum.id, ConsentEvent.user == user_id),
    )


# The API's operations --------------------------------------------------------------------------


async def _own_forum(principal: Principal, slug: str) -> tuple[ForumRef, int]:
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    return await visible_forum(principal, slug), principal.user_id


async def my_consent(principal: Principal, slug: str) -> schemas.ConsentState:
    """The caller's consent for the forum: every pair and the whole history."""
    forum, user_id = await _own_forum(principal, slug)
    return await _state_of(forum, user_id)


async def change_my_consent(
    principal: Principal, slug: str, data: schemas.ConsentChange
) -> schemas.ConsentState:
    """Record the caller's own decisions (grant or refuse, one call either way)."""
    forum, user_id = await _own_forum(principal, slug)
    decisions = expand_choices(data.choices)
    await record_decisions(
        user_id,
        forum.id,
        decisions,
        Channel.SELF_SERVICE,
        user_id,
        current_locale(),
        notice_version=data.notice_version,
    )
    return await _state_of(forum, user_id)


_RECIPIENT_COLUMNS = (
    User.id,
    User.email,
    User.display_name,
    User.locale,
    User.timezone,
    User.erased_at,
)


async def _existing_user(user_id: int) -> dict[str, Any]:
    """What a mail to the person needs; ``NotFound`` when there is no such account."""
    row = await User.select(*_RECIPIENT_COLUMNS).where(User.id == user_id).first()
    if row is None:
        raise NotFound("user_not_found")
    return dict(row)


async def _record_with_receipt(
    person: Mapping[str, Any],
    forum: ForumRef,
    decisions: Sequence[PairDecision],
    channel: Channel,
    actor_id: int | None,
    locale: str,
    notice_version: int | None = None,
) -> None:
    """Record decisions and mail the person a receipt, in one transaction."""
    async with db.transaction():
        await record_decisions(
            person["id"],
            forum.id,
            decisions,
            channel,
            actor_id,
            locale,
            notice_version=notice_version,
        )
        marker = await _marker_of(forum, person["id"])
        await queue_mail(
            CONSENT_RECORDED,
            to=person["email"],
            locale=person["locale"],
            timezone=person["timezone"],
            context={
                "display_name": person["display_name"],
                "forum": (await _forum_text(forum.id)).best(person["locale"]),
                "recorded_at": now(),
                "channel": _lazy(CHANNEL_LABELS[channel]),
                "marker": _lazy(MARKER_LABELS[marker]),
                "consent_link": withdrawal_link(person["id"], forum.id, locale=person["locale"]),
            },
            user_id=person["id"],
        )


#: Whether the person has a registration for the forum, whatever its state now.
_REGISTERED = """
SELECT 1 AS found FROM registration r WHERE r.forum = {} AND r."user" = {} LIMIT 1
"""


async def _registered_person(forum: ForumRef, user_id: int) -> dict[str, Any]:
    """A person registered for ``forum``; ``NotFound`` for anyone else, so that organizers
    neither see nor record consent of people who are not theirs, nor learn which accounts
    exist."""
    if not await ConsentEvent.raw(_REGISTERED, forum.id, user_id):
        raise NotFound("user_not_found")
    return await _existing_user(user_id)


async def consent_of(principal: Principal, slug: str, user_id: int) -> schemas.ConsentState:
    """One person's consent for the forum, for those who organize it."""
    forum = await editable_forum(principal, slug)
    await _registered_person(forum, user_id)
    return await _state_of(forum, user_id)


async def record_on_site(
    principal: Principal, slug: str, user_id: int, data: schemas.OnSiteConsentChange
) -> schemas.ConsentState:
    """Record what a person tells an organizer at the forum; the organizer is the actor."""
    forum = await editable_forum(principal, slug)
    person = await _registered_person(forum, user_id)
    locale = data.notice_locale or person["locale"]
    raise_problems(locale_problem(locale, "/notice_locale"))
    decisions = expand_choices(data.choices)
    await _record_with_receipt(
        person, forum, decisions, Channel.ON_SITE, principal.user_id, locale, data.notice_version
    )
    return await _state_of(forum, user_id)


# Signed withdrawal links -----------------------------------------------------------------------


async def _link_target(token: str) -> tuple[dict[str, Any], ForumRef, WithdrawalGrant]:
    grant = read_withdrawal_token(token)
    forum = await forum_ref_by_id(grant.forum_id)
    return await _existing_user(grant.user_id), forum, grant


async def _anything_to_withdraw(person: Mapping[str, Any], forum: ForumRef) -> bool:
    """Whether the link's person consents to any use: an erased account and a person who
    granted nothing (or withdrew already) have nothing to withdraw."""
    if person["erased_at"] is not None:
        return False
    notices = await notice_state(forum.id)
    decisions = (await latest_decisions(forum.id, person["id"])).get(person["id"], {})
    states = pair_states(decisions, notices.material_version)
    return any(state == PairState.GRANTED for state in states.values())


#: Said by the withdrawal link when nothing is granted; nothing is recorded or mailed then.
NOTHING_TO_WITHDRAW = N_(
    "There is no consent to photos and videos at this forum to withdraw: none is given. "
    "Nothing was changed."
)


async def _forum_text(forum_id: int) -> TranslatableText:
    row = await Forum.select(Forum.title).where(Forum.id == forum_id).first()
    if row is None:
        raise NotFound("forum_not_found")
    return TranslatableText.from_json(row["title"])


async def forum_title(forum_id: int) -> LocalizedText:
    """The forum's title in the reader's language."""
    return localize(await _forum_text(forum_id))


async def _marker_of(forum: ForumRef, user_id: int) -> Marker:
    notices = await notice_state(forum.id)
    decisions = (await latest_decisions(forum.id, user_id)).get(user_id, {})
    return marker_of(pair_states(decisions, notices.material_version))


async def _marker(forum: ForumRef, user_id: int) -> Label:
    return label_of(await _marker_of(forum, user_id), MARKER_LABELS)


async def withdrawal_preview(token: str) -> schemas.WithdrawalPreview:
    """What the link will do; changes nothing (mail scanners open links on their own)."""
    person, forum, grant = await _link_target(token)
    can_withdraw = await _anything_to_withdraw(person, forum)
    action = N_(
        "Withdraw your consent to photos and videos for every use at this forum. No new "
        "photo or video of you will be published."
    )
    return schemas.WithdrawalPreview(
        forum_slug=forum.slug,
        forum_title=await forum_title(forum.id),
        action=gettext(action if can_withdraw else NOTHING_TO_WITHDRAW),
        marker=await _marker(forum, person["id"]),
        expires_at=grant.expires_at,
        can_withdraw=can_withdraw,
    )


async def withdraw_with_link(token: str) -> schemas.WithdrawalDone:
    """Refuse every pair for the link's person and forum (channel ``signed_link``)."""
    person, forum, _ = await _link_target(token)
    if not await _anything_to_withdraw(person, forum):
        return schemas.WithdrawalDone(
            forum_slug=forum.slug,
            forum_title=await forum_title(forum.id),
            message=gettext(NOTHING_TO_WITHDRAW),
            marker=await _marker(forum, person["id"]),
            withdrawn=False,
        )
    # The language of the page the person confirmed on (its form posts it back as ``lang``).
    await _record_with_receipt(
        person, forum, refuse_everything(), Channel.SIGNED_LINK, person["id"], current_locale()
    )
    return schemas.WithdrawalDone(
        forum_slug=forum.slug,
        forum_title=await forum_title(forum.id),
        message=gettext(
            N_(
                "Your consent to photos and videos at this forum is withdrawn. You can give it "
                "again at any time in your account."
            )
        ),
        marker=await _marker(forum, person["id"]),
    )


# Who is counted ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Person:
    user_id: int
    badge_number: int | None
    given_name: str
    family_name: str
    organization: str
    #: The account was erased: the person still counts in statistics, but is named nowhere.
    erased: bool = False


#: Registered participants: those holding a seat (confirmed, or checked in as attended).
#: Waiting, pending, declined and cancelled registrations are not expected at the forum.
_PEOPLE = """
SELECT r."user" AS user_id, r.badge_number, u.display_name, p.given_name, p.family_name,
       u.erased_at IS NOT NULL AS erased,
       COALESCE(NULLIF(p.organization_name, ''), o.name, '') AS organization
FROM registration r
JOIN account_user u ON u.id = r."user"
LEFT JOIN participant_profile p ON p."user" = r."user"
LEFT JOIN account_organization o ON o.id = p.organization
WHERE r.forum = {} AND r.status IN ('confirmed', 'attended')
"""


async def people(forum_id: int) -> list[Person]:
    """Who the photo list and the statistics count for the forum."""
    rows = await ConsentEvent.raw(_PEOPLE, forum_id)
    return [
        Person(
            user_id=row["user_id"],
            badge_number=row["badge_number"],
            # Without a profile, the account's name stands for the whole name.
            given_name=row["given_name"] or "",
            family_name=row["family_name"] or row["display_name"],
            organization=row["organization"] or "",
            erased=bool(row["erased"]),
        )
        for row in rows
    ]


# Statistics ------------------------------------------------------------------------------------


def _share(count: int, total: int) -> schemas.Share:
    share = count / total if total else 0.0
    return schemas.Share(count=count, share=round(share, 4), percent=format_percent(share))


def statistics_of(
    people: Iterable[int], latest: Latest, material_version: int
) -> tuple[int, dict[str, schemas.Share], list[schemas.PairStatistics]]:
    """People counted, markers and per-pair shares for ``people`` (undecided when absent)."""
    states_by_person = [pair_states(latest.get(person, {}), material_version) for person in people]
    total = len(states_by_person)
    markers = Counter(marker_of(states) for states in states_by_person)
    pairs = []
    for medium, purpose in ALL_PAIRS:
        counts = Counter(states[medium, purpose] for states in states_by_person)
        granted, refused = counts[PairState.GRANTED], counts[PairState.REFUSED]
        pairs.append(
            schemas.PairStatistics(
                medium=label_of(medium, MEDIUM_LABELS),
                purpose=label_of(purpose, PURPOSE_LABELS),
                granted=_share(granted, total),
                refused=_share(refused, total),
                undecided=_share(total - granted - refused, total),
            )
        )
    return total, {marker.value: _share(markers[marker], total) for marker in Marker}, pairs


# Who may see the photo list and statistics -----------------------------------------------------

#: The photo list: the forum's photographers and those who organize it, nobody else.
sees_photo_list = any_of(edits_forum, is_forum_photographer)


PhotoListCheck = Callable[[ForumRef], Awaitable[None]]
_photo_list_checks: list[PhotoListCheck] = []


def on_photo_list(check: PhotoListCheck) -> Callable[[], None]:
    """Ask ``check`` before a forum's photo list is made; it raises a domain error to refuse.

    Retention refuses the list of a forum whose personal details were shredded. Adding the same
    check twice keeps one; the returned function removes it.
    """
    if check not in _photo_list_checks:
        _photo_list_checks.append(check)

    def remove() -> None:
        if check in _photo_list_checks:
            _photo_list_checks.remove(check)

    return remove


async def photo_list_forum(principal: Principal, slug: str) -> ForumRef:
    """The forum if the caller may see its photo list (drafts are a 404 to others)."""
    forum = await visible_forum(principal, slug)
    await authorize(principal, sees_photo_list, forum)
    for check in list(_photo_list_checks):
        await check(forum)
    return forum


POPULATION_LABELS: Mapping[str, str] = {
    # i18n: Who the statistics count: people with a confirmed seat or checked in.
    "registered": N_("Registered participants (confirmed or attended)"),
}


async def consent_statistics(principal: Principal, slug: str) -> schemas.ConsentStatistics:
    """Shares granted, refused and undecided per pair, and the markers (organizers only)."""
    forum = await editable_forum(principal, slug)
    notices = await notice_state(forum.id)
    latest = await latest_decisions(forum.id)
    counted = [person.user_id for person in await people(forum.id)]
    total, markers, pairs = statistics_of(counted, latest, notices.material_version)
    return schemas.ConsentStatistics(
        forum_slug=forum.slug,
        population=label_of("registered", POPULATION_LABELS),
        people=total,
        markers=markers,
        pairs=pairs,
    )
