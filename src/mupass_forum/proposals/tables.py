"""Proposals for contributions to a forum and the organizers' internal comments on them."""

from __future__ import annotations

from piccolo.columns import JSON, ForeignKey, OnDelete, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from mupass_forum.accounts.tables import User
from mupass_forum.forums.tables import Forum, ProgrammeItem


class Proposal(Table, tablename="proposal"):
    """A contribution someone offers to a forum: a talk, a panel or workshop input, a poster."""

    id = Serial(primary_key=True)
    forum = ForeignKey(Forum, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, on_delete=OnDelete.cascade, index=True)
    #: ``TranslatableText`` each; the original is the language the author wrote in.
    title = JSON()
    abstract = JSON()
    #: One of ``ProposalFormat``.
    format = Varchar(length=24)
    #: ISO 639-1 code of the language the contribution would be given in.
    delivery_language = Varchar(length=8)
    #: One of ``ProposalStatus``; a decision is taken once, by a conditional update.
    status = Varchar(length=16, default="submitted", index=True)
    #: The organizers' words to the author with their decision (also in the mail).
    decision_message = Text(default="")
    decided_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    #: The programme item the accepted proposal is presented in; its author is then among the
    #: item's speakers (an entry with this proposal's id).
    programme_item = ForeignKey(
        ProgrammeItem, on_delete=OnDelete.set_null, null=True, default=None, index=True
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


#: What the author proposed and what was decided on it.
PROPOSAL_CONTENT_COLUMNS = (
    Proposal.title,
    Proposal.abstract,
    Proposal.format,
    Proposal.delivery_language,
    Proposal.status,
    Proposal.decision_message,
    Proposal.decided_at,
)


class ProposalComment(Table, tablename="proposal_comment"):
    """An organizer's note on a proposal, seen only by the forum's organizers."""

    id = Serial(primary_key=True)
    proposal = ForeignKey(Proposal, on_delete=OnDelete.cascade, index=True)
    author = ForeignKey(User, on_delete=OnDelete.set_null, null=True, default=None)
    text = Text()
    created_at = Timestamptz(default=TimestamptzNow())
