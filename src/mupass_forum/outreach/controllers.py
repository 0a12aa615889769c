"""The outreach API: organizers' messages to a forum's people and their history, and which
mails to organizers one gets."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK

from mupass_forum.accounts.principal import Principal
from mupass_forum.errors import InvalidInput, field_error_from_message
from mupass_forum.outreach import organizers, schemas, services


class MessageController(Controller):
    path = "/forums/{slug:str}/messages"
    tags = ["outreach"]

    @post("", operation_id="write_message", summary="Write a message to participants")
    async def write(
        self,
        slug: FromPath[str],
        data: JSONBody[schemas.MessageCreate],
        principal: NamedDependency[Principal],
    ) -> schemas.Message:
        """Write a message once per language to the people chosen; it is sent separately."""
        return await services.create_message(principal, slug, data)

    @get("", operation_id="list_messages", summary="Messages and their history")
    async def list_messages(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> list[schemas.Message]:
        """The forum's messages, newest first, with when each was sent and to how many."""
        return await services.list_messages(principal, slug)

    @get("/{message_id:int}", operation_id="preview_message", summary="Preview a message")
    async def preview(
        self, slug: FromPath[str], message_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.MessagePreview:
        """What the readers of each language get, and how many people read each."""
        return await services.preview(principal, slug, message_id)

    @post(
        "/{message_id:int}/send",
        operation_id="send_message",
        summary="Send a message",
        status_code=HTTP_200_OK,
    )
    async def send(
        self, slug: FromPath[str], message_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> schemas.Message:
        """Send the message to each recipient in their language; sending again sends nothing."""
        return await services.send_message(principal, slug, message_id)

    @get(
        "/{message_id:int}/deliveries",
        operation_id="list_message_deliveries",
        summary="Who got a message",
    )
    async def deliveries(
        self, slug: FromPath[str], message_id: FromPath[int], principal: NamedDependency[Principal]
    ) -> list[schemas.Delivery]:
        """Every address the message went to, in which language, and how its mail fared."""
        return await services.deliveries(principal, slug, message_id)


class OrganizerMailController(Controller):
    path = "/me/organizer-mails"
    tags = ["outreach"]

    @get("", operation_id="get_organizer_mails", summary="Mails to organizers")
    async def get_choices(
        self, principal: NamedDependency[Principal]
    ) -> schemas.OrganizerMailChoices:
        """Which mails about the forums you run you get: a registration awaiting approval, a
        proposal, a flagged post."""
        return await organizers.mail_choices(principal)

    @put("", operation_id="choose_organizer_mails", summary="Choose mails to organizers")
    async def choose(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[schemas.OrganizerMailChoicesUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.OrganizerMailChoices:
        """Switch kinds of mails to organizers on or off; those not named stay as they are."""
        # The body was converted leniently (0 for false); the document promises booleans.
        given = msgspec.json.decode(await request.body())
        wrong = [name for name, value in given.items() if not isinstance(value, bool)]
        if wrong:
            raise InvalidInput(
                *(field_error_from_message("Expected `bool`", name, "body") for name in wrong)
            )
        return await organizers.choose_mails(principal, data)
