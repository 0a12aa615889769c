"""The proposals' share of a person's data: what they proposed and the notes they wrote.

A person's proposals are their own texts: erasure removes them (and the organizers' notes on
them); they leave the programme's speakers with the forums' share. Notes the person wrote on
others' proposals as an organizer stay with the proposal, without an author.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from piccolo.custom_types import Combinable

from mupass_forum.forums.queries import stored_json
from mupass_forum.i18n import N_
from mupass_forum.privacy.registry import (
    STAGE_PROPOSALS,
    ErasureRequest,
    PersonalData,
    Subject,
)
from mupass_forum.proposals.schemas import ProposalStatus
from mupass_forum.proposals.tables import PROPOSAL_CONTENT_COLUMNS, Proposal, ProposalComment


async def export(subject: Subject) -> Mapping[str, Any]:
    proposals = await Proposal.select(
        Proposal.id,
        Proposal.forum.slug.as_alias("forum"),
        *PROPOSAL_CONTENT_COLUMNS,
        Proposal.created_at,
        Proposal.updated_at,
    ).where(Proposal.author == subject.user_id)
    for row in proposals:
        row["title"] = stored_json(row["title"])
        row["abstract"] = stored_json(row["abstract"])
    notes = await ProposalComment.select(
        ProposalComment.proposal.as_alias("proposal_id"),
        ProposalComment.text,
        ProposalComment.created_at,
    ).where(ProposalComment.author == subject.user_id)
    # What the organizers noted about the person's proposals is about them; who wrote it is not.
    notes_on_mine = await ProposalComment.select(
        ProposalComment.proposal.as_alias("proposal_id"),
        ProposalComment.text,
        ProposalComment.created_at,
    ).where(ProposalComment.proposal.author == subject.user_id)
    return {"proposals": proposals, "notes_written": notes, "notes_on_my_proposals": notes_on_mine}


async def erase(request: ErasureRequest) -> None:
    user_id = request.subject.user_id
    await ProposalComment.update({ProposalComment.author: None}).where(
        ProposalComment.author == user_id
    )
    # Organizers' notes on the person's proposals go with them (foreign keys cascade).
    await Proposal.delete().where(Proposal.author == user_id)


PERSONAL_DATA = PersonalData(
    section="proposals",
    # i18n: Part of the personal data export (README).
    description=N_(
        "The contributions you proposed to forums with the decisions on them, and notes you "
        "wrote on proposals as an organizer."
    ),
    tables={Proposal: "proposals", ProposalComment: "notes_written"},
    export=export,
    erase=erase,
    stage=STAGE_PROPOSALS,
)


# Retention -------------------------------------------------------------------------------------


def _not_on_programme(forum_id: int) -> Combinable:
    return (Proposal.forum == forum_id) & (Proposal.status != ProposalStatus.ACCEPTED.value)


async def shreddable(forum_id: int) -> int:
    """Proposals of the forum that retention removes (all but those accepted) and notes."""
    proposals = await Proposal.count().where(_not_on_programme(forum_id))
    notes = await ProposalComment.count().where(ProposalComment.proposal.forum == forum_id)
    return int(proposals) + int(notes)


async def shred_forum(forum_id: int) -> int:
    """Once a forum's retention period is over, the organizers' notes and decision messages go,
    and so do proposals that did not make the programme; accepted ones stay as its record."""
    count = await shreddable(forum_id)
    proposal_ids = [
        row["id"] for row in await Proposal.select(Proposal.id).where(Proposal.forum == forum_id)
    ]
    if proposal_ids:
        await ProposalComment.delete().where(ProposalComment.proposal.is_in(proposal_ids))
        await Proposal.update({Proposal.decision_message: ""}).where(Proposal.forum == forum_id)
    await Proposal.delete().where(_not_on_programme(forum_id))
    return count
