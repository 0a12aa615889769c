"""Demonstration proposals for the 2024 stakeholder network meeting: one accepted and on the
programme (its author among the break-out session's speakers), one rejected, one withdrawn and
one awaiting a decision."""

from __future__ import annotations

from datetime import timedelta

from mupass_forum import db
from mupass_forum.forums.tables import Forum, ProgrammeItem
from mupass_forum.proposals.services import put_on_programme
from mupass_forum.proposals.tables import Proposal, ProposalComment
from mupass_forum.registrations.tables import Registration

#: (original locale, title, abstract, format, delivery language, status, decision message)
PROPOSALS = [
    (
        "fr",
        {"fr": "Cantines scolaires durables à Dakar", "en": "Sustainable school canteens in Dakar"},
        {
            "fr": "Comment la ville a introduit des produits locaux et biologiques dans les "
            "marchés de restauration scolaire.",
            "en": "How the city brought local and organic food into its school catering contracts.",
        },
        "workshop_input",
        "fr",
        "accepted",
        "Merci ! Nous vous proposons la session en sous-groupes de l’après-midi.",
    ),
    (
        "es",
        {"es": "Compras públicas circulares en Medellín"},
        {"es": "Criterios de economía circular en las licitaciones de mobiliario urbano."},
        "talk",
        "es",
        "rejected",
        "El programa ya está completo; le invitamos a presentarlo en el tablero de diálogo.",
    ),
    (
        "de",
        {"de": "Faire IT-Beschaffung in Bonn"},
        {"de": "Sozialkriterien in Rahmenverträgen für Laptops und Server."},
        "poster",
        "de",
        "withdrawn",
        "",
    ),
    (
        "en",
        {"en": "Green procurement networks in East Africa"},
        {"en": "What a regional network of procurement officers achieved in three years."},
        "panel_input",
        "en",
        "submitted",
        "",
    ),
]


async def load_proposals() -> list[str]:
    """Proposals by people who attended the 2024 meeting, unless it has some."""
    forum = (
        await Forum.select(Forum.id, Forum.starts_at)
        .where(Forum.slug == "spp-stakeholder-network-2024")
        .first()
    )
    if forum is None or await Proposal.exists().where(Proposal.forum == forum["id"]):
        return []
    authors = await (
        Registration.select(Registration.user)
        .where(Registration.forum == forum["id"], Registration.status == "attended")
        .order_by(Registration.id)
    )
    item = (
        await ProgrammeItem.select(ProgrammeItem.id)
        .where(ProgrammeItem.forum == forum["id"], ProgrammeItem.kind == "breakout_session")
        .first()
    )
    if len(authors) < len(PROPOSALS) or item is None:
        return []
    # Spread over the regions: an author from each part of the list.
    chosen = [authors[index * len(authors) // len(PROPOSALS)]["user"] for index in range(4)]
    submitted = forum["starts_at"] - timedelta(days=100)
    decided = forum["starts_at"] - timedelta(days=70)
    async with db.transaction():
        for author, (original, title, abstract, kind, language, status, message) in zip(
            chosen, PROPOSALS, strict=True
        ):
            rows = await Proposal.insert(
                Proposal(
                    forum=forum["id"],
                    author=author,
                    title={"original": original, "texts": title},
                    abstract={"original": original, "texts": abstract},
                    format=kind,
                    delivery_language=language,
                    status=status,
                    decision_message=message,
                    decided_at=decided if status in ("accepted", "rejected") else None,
                    created_at=submitted,
                    updated_at=decided,
                )
            ).returning(Proposal.id)
            proposal_id = rows[0]["id"]
            if status in ("accepted", "rejected"):
                await ProposalComment.insert(
                    ProposalComment(
                        proposal=proposal_id,
                        text="Discussed in the programme committee.",
                        created_at=decided - timedelta(days=3),
                    )
                )
            if status == "accepted":
                await put_on_programme(proposal_id, author, item["id"])
    return [f"{len(PROPOSALS)} proposals for spp-stakeholder-network-2024, one on the programme"]
