"""What the proposals API takes and gives."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mupass_forum.forums.schemas import Label, Language, LanguageCode, TextMap
from mupass_forum.i18n.text import LocalizedText

Message = Annotated[str, Meta(max_length=4000)]
CommentText = Annotated[str, Meta(min_length=1, max_length=4000)]


class ProposalFormat(StrEnum):
    TALK = "talk"
    PANEL_INPUT = "panel_input"
    WORKSHOP_INPUT = "workshop_input"
    POSTER = "poster"


class ProposalStatus(StrEnum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Outcome(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"


class ProposalCreate(msgspec.Struct, forbid_unknown_fields=True):
    #: ``{locale: text}``; one language is enough, translations are optional.
    title: TextMap
    abstract: TextMap
    format: ProposalFormat
    #: ISO 639-1 code of the language you would present in (any, not only the service's).
    delivery_language: LanguageCode
    #: The language you wrote in; by default your account's language when the texts have it.
    original_locale: str | None = None


class ProposalUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: TextMap | UnsetType = UNSET
    abstract: TextMap | UnsetType = UNSET
    format: ProposalFormat | UnsetType = UNSET
    delivery_language: LanguageCode | UnsetType = UNSET
    original_locale: str | UnsetType = UNSET


class ProposalDecision(msgspec.Struct, forbid_unknown_fields=True):
    outcome: Outcome
    #: Told to the author, on the proposal and in the mail about the decision.
    message: Message = ""


class CommentCreate(msgspec.Struct, forbid_unknown_fields=True):
    text: CommentText


class ProgrammeLink(msgspec.Struct, forbid_unknown_fields=True):
    programme_item_id: int


class Author(msgspec.Struct, kw_only=True):
    user_id: int
    display_name: str
    #: From the author's profile; empty without one.
    given_name: str
    family_name: str
    organization: str


class Comment(msgspec.Struct, kw_only=True):
    id: int
    author_id: int | None
    author_name: str | None
    text: str
    created_at: datetime


class Proposal(msgspec.Struct, kw_only=True):
    id: int
    forum: str
    author: Author
    title: LocalizedText
    abstract: LocalizedText
    format: Label
    delivery_language: Language
    status: Label
    #: The organizers' message with their decision; empty before it.
    decision_message: str
    decided_at: datetime | None
    #: The programme item an accepted proposal is presented in.
    programme_item_id: int | None
    #: The organizers' internal comments: only organizers get them, others get null.
    comments: list[Comment] | None
    created_at: datetime
    updated_at: datetime


class ProposalPage(msgspec.Struct):
    items: list[Proposal]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None
