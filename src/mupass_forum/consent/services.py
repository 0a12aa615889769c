"""A person's consent as the API and pages read and change it: their own, recorded on site by
an organizer, and withdrawn with the signed link of a mail."""

from __future__ import annotations

from collections.abc import Sequence

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import RECIPIENT_COLUMNS
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.consent import schemas
from mupass_forum.consent.ledger import (
    PairDecision,
    expand_choices,
    history,
    latest_decisions,
    marker_of,
    needs_choice,
    pair_states,
    record_decisions,
    refuse_everything,
)
from mupass_forum.consent.links import WithdrawalGrant, read_withdrawal_token, withdrawal_link
from mupass_forum.consent.mails import CONSENT_RECORDED
from mupass_forum.consent.notices import notice_out, notice_state
from mupass_forum.consent.schemas import Channel, Marker, PairState
from mupass_forum.consent.tables import ConsentEvent
from mupass_forum.consent.vocabulary import (
    ALL_PAIRS,
    CHANNEL_LABELS,
    MARKER_LABELS,
    MEDIUM_LABELS,
    PURPOSE_LABELS,
    STATE_LABELS,
    lazy_text,
)
from mupass_forum.errors import NotFound
from mupass_forum.forums.authorization import ForumRef
from mupass_forum.forums.queries import editable_forum, forum_ref_by_id, visible_forum
from mupass_forum.forums.schemas import Label
from mupass_forum.forums.tables import Forum
from mupass_forum.forums.terms import label_of
from mupass_forum.i18n import N_, gettext
from mupass_forum.i18n.locale import current_locale
from mupass_forum.i18n.text import LocalizedText, TranslatableText, localize
from mupass_forum.mail import Recipient, queue_mail
from mupass_forum.registrations.tables import Registration
from mupass_forum.rows import Moment, row_as
from mupass_forum.validation import locale_problem, raise_problems


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
        notice=notice_out(forum.slug, notices.current, notices.material_version),
        pairs=pairs,
        history=await history(ConsentEvent.forum == forum.id, ConsentEvent.user == user_id),
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


class _Person(Recipient, frozen=True, kw_only=True):
    erased_at: Moment | None


async def _existing_user(user_id: int) -> _Person:
    """What a mail to the person needs; ``NotFound`` when there is no such account."""
    row = await User.select(*RECIPIENT_COLUMNS, User.erased_at).where(User.id == user_id).first()
    if row is None:
        raise NotFound("user_not_found")
    return row_as(row, _Person)


async def _record_with_receipt(
    person: _Person,
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
            person.id,
            forum.id,
            decisions,
            channel,
            actor_id,
            locale,
            notice_version=notice_version,
        )
        marker = await _marker_of(forum, person.id)
        await queue_mail(
            CONSENT_RECORDED,
            to=person.email,
            locale=person.locale,
            timezone=person.timezone,
            context={
                "display_name": person.display_name,
                "forum": (await _forum_text(forum.id)).best(person.locale),
                "recorded_at": now(),
                "channel": lazy_text(CHANNEL_LABELS[channel]),
                "marker": lazy_text(MARKER_LABELS[marker]),
                "consent_link": withdrawal_link(person.id, forum.id, locale=person.locale),
            },
            user_id=person.id,
        )


async def _registered_person(forum: ForumRef, user_id: int) -> _Person:
    """A person registered for ``forum``; ``NotFound`` for anyone else, so that organizers
    neither see nor record consent of people who are not theirs, nor learn which accounts
    exist."""
    if not await Registration.exists().where(
        Registration.forum == forum.id, Registration.user == user_id
    ):
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
    locale = data.notice_locale or person.locale
    raise_problems(locale_problem(locale, "/notice_locale"))
    decisions = expand_choices(data.choices)
    await _record_with_receipt(
        person, forum, decisions, Channel.ON_SITE, principal.user_id, locale, data.notice_version
    )
    return await _state_of(forum, user_id)


# Signed withdrawal links -----------------------------------------------------------------------


async def _link_target(token: str) -> tuple[_Person, ForumRef, WithdrawalGrant]:
    grant = read_withdrawal_token(token)
    forum = await forum_ref_by_id(grant.forum_id)
    return await _existing_user(grant.user_id), forum, grant


async def _anything_to_withdraw(person: _Person, forum: ForumRef) -> bool:
    """Whether the link's person consents to any use: an erased account and a person who
    granted nothing (or withdrew already) have nothing to withdraw."""
    if person.erased_at is not None:
        return False
    notices = await notice_state(forum.id)
    decisions = (await latest_decisions(forum.id, person.id)).get(person.id, {})
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
        marker=await _marker(forum, person.id),
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
            marker=await _marker(forum, person.id),
            withdrawn=False,
        )
    # The language of the page the person confirmed on (its form posts it back as ``lang``).
    await _record_with_receipt(
        person, forum, refuse_everything(), Channel.SIGNED_LINK, person.id, current_locale()
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
        marker=await _marker(forum, person.id),
    )
