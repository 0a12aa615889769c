"""The proposals API: proposing, editing, withdrawing, review, decisions, programme links."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.status_codes import HTTP_200_OK

from mupass_forum.accounts.principal import Principal
from mupass_forum.pagination import Cursor, page_size
from mupass_forum.proposals import schemas, services

Limit = Annotated[int, page_size(200)]


class ProposalController(Controller):
    path = "/forums/{slug:str}/proposals"
    tags = ["proposals"]

    @get("", operation_id="list_proposals", summary="Proposals")
    async def list_proposals(
        self,
        slug: FromPath[str],
        principal: NamedDependency[Principal],
        status: FromQuery[schemas.ProposalStatus | None] = None,
        format: FromQuery[schemas.ProposalFormat | None] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> schemas.ProposalPage:
        """Every proposal for the forum's organizers, your own for everyone else."""
        given = services.ProposalFilter(status=status, format=format)
        return await services.list_proposals(principal, slug, given, cursor, limit)

    @post("", operation_id="propose", summary="Propose a contribution")
    async def propose(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.ProposalCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.Proposal:
        """Propose a contribution (registered people and those who confirmed interest)."""
        return await services.propose(principal, slug, data)

    @get("/{proposal_id:int}", operation_id="get_proposal", summary="Proposal")
    async def get_proposal(
        self, slug: FromPath[str], proposal_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.Proposal:
        """One proposal, for its author or the forum's organizers."""
        return await services.get_proposal(principal, slug, proposal_id)

    @patch("/{proposal_id:int}", operation_id="update_proposal", summary="Change a proposal")
    async def update_proposal(
        self,
        slug: FromPath[str],
        proposal_id: FromPath[int],
        data: JSONBody[schemas.ProposalUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.Proposal:
        """Change your proposal while it awaits a decision."""
        return await services.update_proposal(principal, slug, proposal_id, data)

    @post(
        "/{proposal_id:int}/withdraw",
        operation_id="withdraw_proposal",
        summary="Withdraw a proposal",
        status_code=HTTP_200_OK,
    )
    async def withdraw(
        self, slug: FromPath[str], proposal_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.Proposal:
        """Withdraw your proposal, before a decision or after its acceptance."""
        return await services.withdraw(principal, slug, proposal_id)

    @post(
        "/{proposal_id:int}/comments",
        operation_id="comment_on_proposal",
        summary="Comment on a proposal",
    )
    async def comment(
        self,
        slug: FromPath[str],
        proposal_id: FromPath[int],
        data: JSONBody[schemas.CommentCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.Proposal:
        """Add an internal comment for the other organizers; the author does not see it."""
        return await services.add_comment(principal, slug, proposal_id, data)

    @post(
        "/{proposal_id:int}/decision",
        operation_id="decide_on_proposal",
        summary="Accept or reject a proposal",
        status_code=HTTP_200_OK,
    )
    async def decide(
        self,
        slug: FromPath[str],
        proposal_id: FromPath[int],
        data: JSONBody[schemas.ProposalDecision],
        principal: NamedDependency[Principal],
    ) -> schemas.Proposal:
        """Accept or reject a submitted proposal; the author gets one mail in their language."""
        return await services.decide(principal, slug, proposal_id, data)

    @put(
        "/{proposal_id:int}/programme-item",
        operation_id="link_proposal_to_programme",
        summary="Put a proposal on the programme",
    )
    async def link(
        self,
        slug: FromPath[str],
        proposal_id: FromPath[int],
        data: JSONBody[schemas.ProgrammeLink],
        principal: NamedDependency[Principal],
    ) -> schemas.Proposal:
        """Link an accepted proposal to a programme item; its author joins the speakers."""
        return await services.link_to_item(principal, slug, proposal_id, data)

    @delete(
        "/{proposal_id:int}/programme-item",
        operation_id="unlink_proposal_from_programme",
        summary="Take a proposal off the programme",
        status_code=HTTP_200_OK,
    )
    async def unlink(
        self, slug: FromPath[str], proposal_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.Proposal:
        """Unlink a proposal from its programme item; its author leaves the speakers."""
        return await services.unlink_from_item(principal, slug, proposal_id)
