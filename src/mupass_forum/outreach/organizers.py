"""Mails to those who run a forum: a registration awaits their approval, a proposal came in, a
post was flagged in a board category of the forum. Each goes to the forum's organizers and
the admins of its lead and partner institutes, in each one's language, and each kind can be
switched off by each of them (``OrganizerMailChoice``; without a row, all are on).

The mails are queued in the transaction of the change they tell of, like every mail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from babel.support import LazyProxy
from msgspec import UNSET

from mupass_forum.accounts.authorization import authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import recipients_among
from mupass_forum.accounts.tables import User
from mupass_forum.app_context import Hooks
from mupass_forum.board.tables import Category
from mupass_forum.clock import now
from mupass_forum.forums.queries import forum_runners
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.tables import Forum
from mupass_forum.i18n import N_
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.mail import MailTemplate, queue_mail_to
from mupass_forum.outreach import schemas
from mupass_forum.outreach.tables import OrganizerMailChoice
from mupass_forum.registrations.desk import StatusMove, on_status_change
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.registrations.schemas import RegistrationStatus

#: The page where organizers switch these mails on and off.
CHOICES_PATH = "/desk/notifications"


def hear_registrations(hooks: Hooks) -> None:
    """Registrations awaiting approval are heard in the app of ``hooks`` (``create_app``)."""
    on_status_change(hooks, registration_awaits)


class OrganizerMail(StrEnum):
    """The kinds of mail, named as the choices' columns."""

    PENDING_REGISTRATION = "pending_registration"
    PROPOSAL_RECEIVED = "proposal_received"
    POST_FLAGGED = "post_flagged"


_FOOTER = N_(
    "You receive this mail because you run “{forum}”. "
    "You can switch these mails off: {choices_link}"
)

PENDING_REGISTRATION = MailTemplate(
    name="outreach.organizer_pending_registration",
    subject=N_("{forum}: {person} awaits your approval"),
    paragraphs=(
        N_("Hello {name},"),
        N_("{person} registered for “{forum}”. The registration awaits the organizers' approval."),
    ),
    action=(N_("Review the registration"), "link"),
    footer=_FOOTER,
)

PROPOSAL_RECEIVED = MailTemplate(
    name="outreach.organizer_proposal_received",
    subject=N_("{forum}: a proposal from {person}"),
    paragraphs=(
        N_("Hello {name},"),
        # The title stays on the proposal's page: a mail keeps no more of the person's words
        # than it needs (erasure replaces names in mails, not what they wrote).
        N_("{person} proposed a contribution to “{forum}”."),
    ),
    action=(N_("Read the proposal"), "link"),
    footer=_FOOTER,
)

POST_FLAGGED = MailTemplate(
    name="outreach.organizer_post_flagged",
    subject=N_("{forum}: a post was flagged on the board"),
    paragraphs=(
        N_("Hello {name},"),
        N_(
            "Someone flagged a post in the thread “{thread}” of the board category "
            "“{category}”, which belongs to “{forum}”. Moderators can hide it or show it again."
        ),
    ),
    action=(N_("Open the post"), "link"),
    footer=_FOOTER,
)


def text_of(stored: Any) -> LazyProxy:
    """A stored ``{locale: text}`` map in the reader's language, read when the mail renders."""
    return LazyProxy(TranslatableText.from_json(stored).best, enable_cache=False)


async def tell_organizers(
    kind: OrganizerMail,
    forum_ids: Sequence[int],
    template: MailTemplate,
    context: Mapping[str, Any],
    *,
    path: str,
    actor: int | None = None,
) -> int:
    """Queue ``template`` for everyone who runs one of the forums and wants this kind of mail
    (not ``actor``, who did what the mail tells of); in the caller's transaction. ``path`` is
    the page the mail's button opens (``{slug}``: the first forum's). Returns how many were
    queued."""
    if not forum_ids:
        return 0
    runners: set[int] = set()
    for forum_id in forum_ids:
        runners |= await forum_runners(forum_id)
    runners.discard(actor or 0)
    if not runners:
        return 0
    switched_off = await OrganizerMailChoice.select(OrganizerMailChoice.user).where(
        OrganizerMailChoice.user.is_in(sorted(runners)),
        getattr(OrganizerMailChoice, kind.value) == False,  # noqa: E712 (a column condition)
    )
    runners -= {int(row["user"]) for row in switched_off}
    if not runners:
        return 0
    facts = await forum_facts(forum_ids[0])
    recipients = await recipients_among(runners)
    for recipient in recipients:
        await queue_mail_to(
            template,
            recipient,
            context={
                **facts.context(),
                "name": recipient.display_name,
                "choices_link": facts.link(CHOICES_PATH),
                "link": facts.link(path),
                **context,
            },
        )
    return len(recipients)


async def registration_awaits(move: StatusMove) -> None:
    """A registration now awaits approval (``registrations.desk.on_status_change``)."""
    if move.to_status != RegistrationStatus.PENDING_APPROVAL:
        return
    person = await User.select(User.display_name).where(User.id == move.user_id).first()
    await tell_organizers(
        OrganizerMail.PENDING_REGISTRATION,
        [move.forum_id],
        PENDING_REGISTRATION,
        {"person": person["display_name"] if person else ""},
        path=f"/desk/forums/{{slug}}/registrations/{move.registration_id}",
        actor=move.user_id,
    )


#: Forums whose people a series' board category speaks to: those not over yet.
_RUNNING = (
    ForumStatus.DRAFT,
    ForumStatus.ANNOUNCED,
    ForumStatus.REGISTRATION_OPEN,
    ForumStatus.REGISTRATION_CLOSED,
)


async def post_flagged(
    category_id: int, thread_id: int, post_id: int, thread_title: str, actor: int | None
) -> None:
    """A post was flagged: those who run the forum of its category (or the running forums of
    the category's series) hear of it."""
    category = (
        await Category.select(
            Category.name, Category.forum.as_alias("forum"), Category.series.as_alias("series")
        )
        .where(Category.id == category_id)
        .first()
    )
    if category is None:
        return
    if category["forum"] is not None:
        forum_ids = [int(category["forum"])]
    elif category["series"] is not None:
        forums = (
            await Forum.select(Forum.id)
            .where(Forum.series == category["series"], Forum.status.is_in(list(_RUNNING)))
            .order_by(Forum.starts_at)
        )
        forum_ids = [int(row["id"]) for row in forums]
    else:
        return
    await tell_organizers(
        OrganizerMail.POST_FLAGGED,
        forum_ids,
        POST_FLAGGED,
        {"thread": thread_title, "category": text_of(category["name"])},
        path=f"/board/threads/{thread_id}?around={post_id}",
        actor=actor,
    )


# The choices ---------------------------------------------------------------------------------


async def mail_choices(principal: Principal) -> schemas.OrganizerMailChoices:
    """Which of these mails the caller gets (all, until they choose)."""
    await authorize(principal, signed_in)
    row = (
        await OrganizerMailChoice.select(*(getattr(OrganizerMailChoice, k) for k in OrganizerMail))
        .where(OrganizerMailChoice.user == principal.user_id)
        .first()
    )
    if row is None:
        return schemas.OrganizerMailChoices()
    return schemas.OrganizerMailChoices(
        **{kind.value: bool(row[kind.value]) for kind in OrganizerMail}
    )


async def choose_mails(
    principal: Principal, data: schemas.OrganizerMailChoicesUpdate
) -> schemas.OrganizerMailChoices:
    """Switch kinds of these mails on or off for the caller; the others stay as they were."""
    current = await mail_choices(principal)
    values: dict[Any, Any] = {
        kind.value: getattr(data, kind.value)
        if getattr(data, kind.value) is not UNSET
        else getattr(current, kind.value)
        for kind in OrganizerMail
    }
    changed = await (
        OrganizerMailChoice.update({**values, "updated_at": now()})
        .where(OrganizerMailChoice.user == principal.user_id)
        .returning(OrganizerMailChoice.id)
    )
    if not changed:
        await OrganizerMailChoice.insert(
            OrganizerMailChoice(user=principal.user_id, updated_at=now(), **values)
        ).on_conflict(action="DO NOTHING")
    return await mail_choices(principal)
