"""Best-practice proposals: who may propose, editing, review, decisions and programme links.

Who may propose: a signed-in person with a registration for the forum that is not declined or
cancelled, or whose account address confirmed interest in the forum. Proposals are taken while
the forum is announced or registration is open or closed.

Life of a proposal: ``submitted`` (the author may edit it) -> ``accepted`` or ``rejected`` by
the organizers, each decision taken once by a conditional update that also queues the author's
mail, in the author's language; the author may withdraw a submitted or an accepted proposal
(which takes them off the programme). Rejected and withdrawn proposals stay as they are.

Organizers' comments are internal: the author never sees them. What the author is told is the
message given with the decision, shown on the proposal and written in the mail.

An accepted proposal is linked to at most one programme item; its author then appears among the
item's speakers as an entry carrying the proposal's id (``forums.programme`` keeps such entries
when organizers edit the other speakers). The item's row is locked while its speakers change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from babel.support import LazyProxy
from msgspec import UnsetType

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.accounts.services import recipient_where
from mupass_forum.accounts.tables import User
from mupass_forum.clock import now
from mupass_forum.errors import Conflict, Forbidden, NotFound
from mupass_forum.forums.authorization import ForumRef, edits_forum
from mupass_forum.forums.checks import InputChecks, language_problem, original_locale_problems
from mupass_forum.forums.queries import editable_forum, languages_of, stored_json, visible_forum
from mupass_forum.forums.schemas import ForumStatus
from mupass_forum.forums.tables import ProgrammeItem
from mupass_forum.forums.terms import MAX_TEXT, MAX_TITLE, label_of
from mupass_forum.i18n import N_, NC_, gettext
from mupass_forum.i18n.text import TranslatableText, localize_stored
from mupass_forum.mail import queue_mail_to
from mupass_forum.outreach import organizers
from mupass_forum.participants.tables import Profile
from mupass_forum.proposals import mails, schemas
from mupass_forum.proposals.schemas import ProposalFormat, ProposalStatus
from mupass_forum.proposals.tables import PROPOSAL_CONTENT_COLUMNS, Proposal, ProposalComment
from mupass_forum.registrations.forum_facts import forum_facts
from mupass_forum.registrations.queries import decode_id_cursor, encode_id_cursor
from mupass_forum.registrations.schemas import RegistrationStatus
from mupass_forum.registrations.tables import Interest, Registration
from mupass_forum.rows import Moment, forum_row, row_as, rows_as

Status = ProposalStatus

FORMAT_LABELS: Mapping[ProposalFormat, str] = {
    # i18n: Format of a proposed contribution to a forum.
    ProposalFormat.TALK: N_("Talk"),
    ProposalFormat.PANEL_INPUT: N_("Input to a panel"),
    ProposalFormat.WORKSHOP_INPUT: N_("Input to a workshop"),
    ProposalFormat.POSTER: N_("Poster"),
}

STATUS_LABELS: Mapping[ProposalStatus, str] = {
    # i18n: Status of a proposed contribution.
    Status.SUBMITTED: NC_("proposal status", "Submitted"),
    Status.ACCEPTED: NC_("proposal status", "Accepted"),
    Status.REJECTED: NC_("proposal status", "Rejected"),
    Status.WITHDRAWN: NC_("proposal status", "Withdrawn"),
}

#: Forum statuses in which proposals are made.
_TAKES_PROPOSALS = frozenset(
    {ForumStatus.ANNOUNCED, ForumStatus.REGISTRATION_OPEN, ForumStatus.REGISTRATION_CLOSED}
)
#: Registrations that do not entitle anyone to propose.
_ENDED = (RegistrationStatus.DECLINED.value, RegistrationStatus.CANCELLED.value)


def _status_name(status: Status) -> LazyProxy:
    return LazyProxy(gettext, STATUS_LABELS[status], enable_cache=False)


# Who may propose -------------------------------------------------------------------------------


async def _check_may_propose(forum: ForumRef, user_id: int) -> None:
    if forum.status.value not in _TAKES_PROPOSALS:
        raise Conflict("proposals_closed", N_("This forum does not take proposals at the moment."))
    if await Registration.exists().where(
        Registration.forum == forum.id,
        Registration.user == user_id,
        Registration.status.not_in(list(_ENDED)),
    ):
        return
    account = await User.select(User.email).where(User.id == user_id).first()
    if account is not None and await Interest.exists().where(
        Interest.forum == forum.id,
        Interest.email == account["email"],
        Interest.confirmed_at.is_not_null(),
    ):
        return
    raise Forbidden(
        "not_eligible_to_propose",
        N_(
            "Proposals can be made by people registered for this forum or who have confirmed "
            "their interest in it with the address of their account."
        ),
    )


# Reading ---------------------------------------------------------------------------------------

_COLUMNS = (
    Proposal.id,
    Proposal.author,
    Proposal.author.display_name.as_alias("author_name"),
    *PROPOSAL_CONTENT_COLUMNS,
    Proposal.programme_item,
    Proposal.created_at,
    Proposal.updated_at,
)


class _ProposalRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    author: int
    author_name: str
    #: JSON of a ``TranslatableText``, as are ``abstract``'s.
    title: str
    abstract: str
    format: ProposalFormat
    delivery_language: str
    status: ProposalStatus
    decision_message: str
    decided_at: Moment | None
    programme_item: int | None
    created_at: Moment
    updated_at: Moment


class _ProfileRow(msgspec.Struct, frozen=True, kw_only=True):
    user: int
    given_name: str
    family_name: str
    organization_name: str


class _CommentRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    proposal: int
    author: int | None
    author_name: str | None
    text: str
    created_at: Moment


@dataclass(frozen=True, slots=True)
class ProposalFilter:
    status: ProposalStatus | None = None
    format: ProposalFormat | None = None


async def _profiles(user_ids: Sequence[int]) -> dict[int, _ProfileRow]:
    if not user_ids:
        return {}
    rows = await Profile.select(
        Profile.user, Profile.given_name, Profile.family_name, Profile.organization_name
    ).where(Profile.user.is_in(sorted(set(user_ids))))
    return {row.user: row for row in rows_as(rows, _ProfileRow)}


async def _comments(proposal_ids: Sequence[int]) -> dict[int, list[schemas.Comment]]:
    found: dict[int, list[schemas.Comment]] = {proposal_id: [] for proposal_id in proposal_ids}
    if not proposal_ids:
        return found
    rows = (
        await ProposalComment.select(
            ProposalComment.id,
            ProposalComment.proposal,
            ProposalComment.author,
            ProposalComment.author.display_name.as_alias("author_name"),
            ProposalComment.text,
            ProposalComment.created_at,
        )
        .where(ProposalComment.proposal.is_in(list(proposal_ids)))
        .order_by(ProposalComment.id)
    )
    for row in rows_as(rows, _CommentRow):
        found[row.proposal].append(
            schemas.Comment(
                id=row.id,
                author_id=row.author,
                author_name=row.author_name,
                text=row.text,
                created_at=row.created_at,
            )
        )
    return found


async def _views(
    forum: ForumRef, rows: Sequence[_ProposalRow], *, organizer: bool
) -> list[schemas.Proposal]:
    """Proposals for the reader: three queries for a whole page (rows, profiles, comments)."""
    ids = [row.id for row in rows]
    profiles = await _profiles([row.author for row in rows])
    comments = await _comments(ids) if organizer else {}
    views = []
    for row in rows:
        profile = profiles.get(row.author)
        title, abstract = localize_stored(row.title), localize_stored(row.abstract)
        assert title is not None and abstract is not None
        views.append(
            schemas.Proposal(
                id=row.id,
                forum=forum.slug,
                author=schemas.Author(
                    user_id=row.author,
                    display_name=row.author_name,
                    given_name=profile.given_name if profile else "",
                    family_name=profile.family_name if profile else "",
                    organization=profile.organization_name if profile else "",
                ),
                title=title,
                abstract=abstract,
                format=label_of(row.format, FORMAT_LABELS),
                delivery_language=languages_of([{"code": row.delivery_language}])[0],
                status=label_of(row.status, STATUS_LABELS),
                decision_message=row.decision_message,
                decided_at=row.decided_at,
                programme_item_id=row.programme_item,
                comments=comments.get(row.id, []) if organizer else None,
                created_at=row.created_at,
                updated_at=row.updated_at,
            )
        )
    return views


async def _row(forum: ForumRef, proposal_id: int) -> _ProposalRow:
    row = await forum_row(Proposal, _COLUMNS, forum.id, proposal_id, "proposal_not_found")
    return row_as(row, _ProposalRow)


async def _readable(
    principal: Principal, slug: str, proposal_id: int
) -> tuple[ForumRef, _ProposalRow, bool]:
    """The forum, the proposal and whether the caller organizes the forum; 404 for others."""
    await authorize(principal, signed_in)
    forum = await visible_forum(principal, slug)
    row = await _row(forum, proposal_id)
    organizer = await edits_forum(principal, forum)
    if not organizer and row.author != principal.user_id:
        raise NotFound("proposal_not_found")
    return forum, row, organizer


async def _view(principal: Principal, slug: str, proposal_id: int) -> schemas.Proposal:
    forum, row, organizer = await _readable(principal, slug, proposal_id)
    return (await _views(forum, [row], organizer=organizer))[0]


async def get_proposal(principal: Principal, slug: str, proposal_id: int) -> schemas.Proposal:
    """One proposal, for its author or the forum's organizers."""
    return await _view(principal, slug, proposal_id)


async def list_proposals(
    principal: Principal, slug: str, given: ProposalFilter, cursor: str | None, limit: int
) -> schemas.ProposalPage:
    """All proposals for organizers, one's own for everyone else; oldest first."""
    await authorize(principal, signed_in)
    forum = await visible_forum(principal, slug)
    organizer = await edits_forum(principal, forum)
    query = Proposal.select(*_COLUMNS).where(Proposal.forum == forum.id)
    if not organizer:
        query = query.where(Proposal.author == principal.user_id)
    if given.status is not None:
        query = query.where(Proposal.status == given.status.value)
    if given.format is not None:
        query = query.where(Proposal.format == given.format.value)
    if cursor is not None:
        query = query.where(Proposal.id > decode_id_cursor(cursor))
    rows = await query.order_by(Proposal.id).limit(limit + 1)
    page = rows_as(rows[:limit], _ProposalRow)
    return schemas.ProposalPage(
        items=await _views(forum, page, organizer=organizer),
        next_cursor=encode_id_cursor(page[-1].id) if len(rows) > limit else None,
    )


# Proposing and editing -------------------------------------------------------------------------


async def _checked(
    data: schemas.ProposalCreate | schemas.ProposalUpdate,
    current: Mapping[str, Any] | None,
    author_locale: str,
) -> dict[str, Any]:
    changes = InputChecks(current)
    original = data.original_locale
    changes.problems += original_locale_problems(original)
    for name, max_length in (("title", MAX_TITLE), ("abstract", MAX_TEXT)):
        raw = getattr(data, name)
        chosen = original
        if (chosen is None or isinstance(chosen, UnsetType)) and current is None:
            # A new proposal is written in the author's language unless they say otherwise.
            chosen = author_locale if raw.get(author_locale, "").strip() else None
        changes.text(name, raw, chosen, required=True, max_length=max_length)
    if not isinstance(data.format, UnsetType):
        changes.values["format"] = data.format.value
    if not isinstance(data.delivery_language, UnsetType):
        code = data.delivery_language.strip().lower()
        changes.problem(language_problem(code, "/delivery_language"))
        changes.values["delivery_language"] = code
    changes.raise_problems()
    return changes.values


async def _author_locale(user_id: int) -> str:
    row = await User.select(User.locale).where(User.id == user_id).first()
    return row["locale"] if row else ""


async def propose(
    principal: Principal, slug: str, data: schemas.ProposalCreate
) -> schemas.Proposal:
    """Propose a contribution (registered or confirmed-interested people)."""
    await authorize(principal, signed_in)
    principal = as_signed_in(principal)
    forum = await visible_forum(principal, slug)
    await _check_may_propose(forum, principal.user_id)
    values = await _checked(data, None, await _author_locale(principal.user_id))
    stamp = now()
    async with db.transaction():
        rows = await Proposal.insert(
            Proposal(
                forum=forum.id,
                author=principal.user_id,
                status=Status.SUBMITTED.value,
                created_at=stamp,
                updated_at=stamp,
                **values,
            )
        ).returning(Proposal.id)
        proposal_id = int(rows[0]["id"])
        await _tell_organizers(forum, proposal_id, principal.user_id)
    return await _view(principal, slug, proposal_id)


async def _tell_organizers(forum: ForumRef, proposal_id: int, author: int) -> None:
    person = await User.select(User.display_name).where(User.id == author).first()
    await organizers.tell_organizers(
        organizers.OrganizerMail.PROPOSAL_RECEIVED,
        [forum.id],
        organizers.PROPOSAL_RECEIVED,
        {"person": person["display_name"] if person else ""},
        path=mails.PROPOSAL_PATH.replace("{id}", str(proposal_id)),
        actor=author,
    )


def _not_now(current: Status, action: str) -> Conflict:
    return Conflict(
        "proposal_not_changeable",
        N_("A proposal with the status “{current}” cannot be {action}."),
        current=_status_name(current),
        action=LazyProxy(gettext, action, enable_cache=False),
    )


# i18n: Ends "A proposal that is … cannot be …".
_EDITED = N_("edited")
# i18n: Ends "A proposal that is … cannot be …".
_WITHDRAWN = N_("withdrawn")
# i18n: Ends "A proposal that is … cannot be …".
_DECIDED = N_("decided on again")
# i18n: Ends "A proposal that is … cannot be …".
_LINKED = N_("put on the programme")


async def update_proposal(
    principal: Principal, slug: str, proposal_id: int, data: schemas.ProposalUpdate
) -> schemas.Proposal:
    """Change a proposal of one's own while it awaits a decision."""
    forum, row, _ = await _readable(principal, slug, proposal_id)
    if row.author != principal.user_id:
        raise Forbidden("not_the_author", N_("Only the author can change a proposal."))
    current = dict(
        await Proposal.select(Proposal.title, Proposal.abstract)
        .where(Proposal.id == proposal_id)
        .first()
        or {}
    )
    values = await _checked(data, current, "")
    if values:
        updated = await (
            Proposal.update(
                {
                    **{getattr(Proposal, name): value for name, value in values.items()},
                    Proposal.updated_at: now(),
                }
            )
            .where(Proposal.id == proposal_id, Proposal.status == Status.SUBMITTED.value)
            .returning(Proposal.id)
        )
        if not updated:
            raise _not_now((await _row(forum, proposal_id)).status, _EDITED)
    elif row.status != Status.SUBMITTED:
        raise _not_now(row.status, _EDITED)
    return await _view(principal, slug, proposal_id)


async def withdraw(principal: Principal, slug: str, proposal_id: int) -> schemas.Proposal:
    """Withdraw a proposal of one's own, before or after its acceptance (off the programme)."""
    forum, row, _ = await _readable(principal, slug, proposal_id)
    if row.author != principal.user_id:
        raise Forbidden("not_the_author", N_("Only the author can withdraw a proposal."))
    async with db.transaction():
        withdrawn = await (
            Proposal.update({Proposal.status: Status.WITHDRAWN.value, Proposal.updated_at: now()})
            .where(
                Proposal.id == proposal_id,
                Proposal.status.is_in([Status.SUBMITTED.value, Status.ACCEPTED.value]),
            )
            .returning(Proposal.programme_item)
        )
        if not withdrawn:
            raise _not_now((await _row(forum, proposal_id)).status, _WITHDRAWN)
        if withdrawn[0]["programme_item"] is not None:
            await _unlink(proposal_id, withdrawn[0]["programme_item"])
    return await _view(principal, slug, proposal_id)


# Review ----------------------------------------------------------------------------------------


async def add_comment(
    principal: Principal, slug: str, proposal_id: int, data: schemas.CommentCreate
) -> schemas.Proposal:
    """Note something on a proposal for the other organizers (the author does not see it)."""
    forum = await editable_forum(principal, slug)
    await _row(forum, proposal_id)
    await ProposalComment.insert(
        ProposalComment(
            proposal=proposal_id,
            author=principal.user_id,
            text=data.text.strip(),
            created_at=now(),
        )
    )
    return await _view(principal, slug, proposal_id)


async def decide(
    principal: Principal, slug: str, proposal_id: int, data: schemas.ProposalDecision
) -> schemas.Proposal:
    """Accept or reject a submitted proposal; the author is mailed once, in their language."""
    forum = await editable_forum(principal, slug)
    accepted = data.outcome == schemas.Outcome.ACCEPT
    message = data.message.strip()
    async with db.transaction():
        # The conditional update is the decision: of two at once, only one finds it submitted.
        decided = await (
            Proposal.update(
                {
                    Proposal.status: (Status.ACCEPTED if accepted else Status.REJECTED).value,
                    Proposal.decision_message: message,
                    Proposal.decided_by: principal.user_id,
                    Proposal.decided_at: now(),
                    Proposal.updated_at: now(),
                }
            )
            .where(
                Proposal.id == proposal_id,
                Proposal.forum == forum.id,
                Proposal.status == Status.SUBMITTED.value,
            )
            .returning(Proposal.id, Proposal.author, Proposal.title)
        )
        if not decided:
            raise _not_now((await _row(forum, proposal_id)).status, _DECIDED)
        await _mail_decision(forum, row_as(decided[0], _Decided), accepted, message)
    return await _view(principal, slug, proposal_id)


class _Decided(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    author: int
    title: str


async def _mail_decision(forum: ForumRef, proposal: _Decided, accepted: bool, message: str) -> None:
    author = await recipient_where(User.id == proposal.author)
    if author is None:
        return
    facts = await forum_facts(forum.id)
    title = TranslatableText.from_json(proposal.title)
    path = mails.PROPOSAL_PATH.replace("{id}", str(proposal.id))
    await queue_mail_to(
        mails.decision_mail(accepted, message),
        author,
        context={
            **facts.context(),
            "display_name": author.display_name,
            "proposal": LazyProxy(title.best, enable_cache=False),
            "message": message,
            "link": facts.link(path),
        },
    )


# The programme ---------------------------------------------------------------------------------


async def _lock_item_speakers(item_id: int) -> list[dict[str, Any]]:
    """The item's speakers, its row locked until the transaction ends."""
    rows = await (
        ProgrammeItem.update({ProgrammeItem.updated_at: now()})
        .where(ProgrammeItem.id == item_id)
        .returning(ProgrammeItem.speakers)
    )
    return list(stored_json(rows[0]["speakers"])) if rows else []


async def _write_speakers(item_id: int, speakers: list[dict[str, Any]]) -> None:
    await ProgrammeItem.update({ProgrammeItem.speakers: speakers}).where(
        ProgrammeItem.id == item_id
    )


async def _unlink(proposal_id: int, item_id: int) -> None:
    """Take the proposal's author off the item's speakers (inside a transaction)."""
    speakers = await _lock_item_speakers(item_id)
    await _write_speakers(
        item_id, [entry for entry in speakers if entry.get("proposal_id") != proposal_id]
    )
    await Proposal.update({Proposal.programme_item: None, Proposal.updated_at: now()}).where(
        Proposal.id == proposal_id
    )


async def _speaker_entry(proposal_id: int, user_id: int) -> dict[str, Any]:
    """The author as a speaker: names and organization from the profile, else the account."""
    account = await User.select(User.display_name).where(User.id == user_id).first()
    profile = (await _profiles([user_id])).get(user_id)
    name = (
        f"{profile.given_name} {profile.family_name}".strip()
        if profile
        else (account or {}).get("display_name", "")
    )
    return {
        "name": name,
        "organization": profile.organization_name if profile else "",
        "user_id": user_id,
        "proposal_id": proposal_id,
    }


async def put_on_programme(proposal_id: int, author_id: int, item_id: int) -> None:
    """Link the proposal to the item and add its author to the speakers (in a transaction)."""
    speakers = await _lock_item_speakers(item_id)
    speakers.append(await _speaker_entry(proposal_id, author_id))
    await _write_speakers(item_id, speakers)
    await Proposal.update({Proposal.programme_item: item_id, Proposal.updated_at: now()}).where(
        Proposal.id == proposal_id
    )


async def link_to_item(
    principal: Principal, slug: str, proposal_id: int, data: schemas.ProgrammeLink
) -> schemas.Proposal:
    """Put an accepted proposal on a programme item: its author joins the item's speakers."""
    forum = await editable_forum(principal, slug)
    async with db.transaction():
        row = await _row(forum, proposal_id)
        if row.status != Status.ACCEPTED:
            raise _not_now(row.status, _LINKED)
        if not await ProgrammeItem.exists().where(
            ProgrammeItem.id == data.programme_item_id, ProgrammeItem.forum == forum.id
        ):
            raise NotFound("programme_item_not_found")
        if row.programme_item is not None:
            await _unlink(proposal_id, row.programme_item)
        await put_on_programme(proposal_id, row.author, data.programme_item_id)
    return await _view(principal, slug, proposal_id)


async def unlink_from_item(principal: Principal, slug: str, proposal_id: int) -> schemas.Proposal:
    """Take a proposal off the programme: its author leaves the item's speakers."""
    forum = await editable_forum(principal, slug)
    async with db.transaction():
        row = await _row(forum, proposal_id)
        if row.programme_item is None:
            raise NotFound("proposal_not_linked", N_("This proposal is not on the programme."))
        await _unlink(proposal_id, row.programme_item)
    return await _view(principal, slug, proposal_id)
