"""What the board's API takes and gives."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from mupass_forum.i18n.text import LocalizedText

Slug = Annotated[str, Meta(min_length=1, max_length=80, pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
Title = Annotated[str, Meta(min_length=1, max_length=200)]
#: Markdown; at most 20,000 characters (a long post, not a document).
Body = Annotated[str, Meta(min_length=1, max_length=20_000)]
Locale = Annotated[str, Meta(min_length=2, max_length=8)]
Tag = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")]
#: ``{locale: text}`` in the service's locales.
Texts = dict[str, str]


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    #: Participants of the category's forum (and its organizers and moderators).
    PARTICIPANTS = "participants"


class ReactionKind(StrEnum):
    LIKE = "like"
    THANKS = "thanks"
    INSIGHTFUL = "insightful"
    AGREE = "agree"
    QUESTION = "question"


class TranslationKind(StrEnum):
    HUMAN = "human"
    AUTHOR = "author"


class TranslationStatus(StrEnum):
    REQUESTED = "requested"
    DONE = "done"


class SearchMatch(StrEnum):
    """Which text of a post a search found: as written, or its translation."""

    ORIGINAL = "original"
    TRANSLATION = "translation"


class FlagReason(StrEnum):
    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    MISINFORMATION = "misinformation"
    OTHER = "other"


class NotificationMode(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    NEVER = "never"


# Categories ------------------------------------------------------------------------------------


class Category(msgspec.Struct):
    id: int
    slug: str
    #: In the reader's language when there is one, saying which language it is in.
    name: LocalizedText
    description: LocalizedText | None
    position: int
    read_access: Access
    post_access: Access
    forum_id: int | None
    #: The series' slug (as ``/forums?series=`` names it), and its id.
    series: str | None
    series_id: int | None
    #: Whether the caller may open threads here.
    can_post: bool


class CategoryCreate(msgspec.Struct, forbid_unknown_fields=True):
    slug: Slug
    #: ``{locale: text}`` in the service's locales.
    name: Texts
    #: The locale the texts were written in (default: the request's, if the name has it).
    original_locale: Locale | None = None
    description: Texts = msgspec.field(default_factory=dict)
    position: int = 0
    read_access: Access = Access.PUBLIC
    post_access: Access = Access.SIGNED_IN
    #: The forum (e.g. for one of its workshops) or the series the category belongs to; a
    #: series by its slug (``series``) or, as before, by its id (``series_id``).
    forum_id: int | None = None
    series: Slug | None = None
    series_id: int | None = None


class CategoryUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: Texts | UnsetType = UNSET
    description: Texts | UnsetType = UNSET
    original_locale: Locale | UnsetType = UNSET
    position: int | UnsetType = UNSET
    read_access: Access | UnsetType = UNSET
    post_access: Access | UnsetType = UNSET
    forum_id: int | UnsetType | None = UNSET
    series: Slug | UnsetType | None = UNSET
    series_id: int | UnsetType | None = UNSET


# Threads ---------------------------------------------------------------------------------------


class Person(msgspec.Struct):
    id: int
    display_name: str


class ThreadSummary(msgspec.Struct):
    id: int
    category_id: int
    title: str
    #: The language the thread was opened in.
    language: str
    tags: list[str]
    author: Person
    pinned: bool
    locked: bool
    created_at: datetime
    last_activity_at: datetime
    reply_count: int


class ThreadPage(msgspec.Struct):
    items: list[ThreadSummary]
    #: Pass as ``?cursor=`` for the next page; null on the last page.
    next_cursor: str | None


class Thread(msgspec.Struct):
    id: int
    category: Category
    title: str
    language: str
    tags: list[str]
    author: Person
    pinned: bool
    locked: bool
    created_at: datetime
    last_activity_at: datetime
    reply_count: int
    #: Whether the caller may reply.
    can_post: bool
    #: Whether the caller follows the thread (mail about replies).
    following: bool


class ThreadCreate(msgspec.Struct, forbid_unknown_fields=True):
    category_id: int
    title: Title
    #: The language of title and body.
    language: Locale
    body: Body
    tags: Annotated[list[Tag], Meta(max_length=10)] = msgspec.field(default_factory=list)


class ThreadUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Title and tags: the author and moderators; the rest: moderators."""

    title: Title | UnsetType = UNSET
    tags: Annotated[list[Tag], Meta(max_length=10)] | UnsetType = UNSET
    pinned: bool | UnsetType = UNSET
    locked: bool | UnsetType = UNSET
    #: Move the thread to another category.
    category_id: int | UnsetType = UNSET


# Posts -----------------------------------------------------------------------------------------


class ReplyTo(msgspec.Struct):
    id: int
    position: int
    author: Person


class ReactionCount(msgspec.Struct):
    kind: ReactionKind
    count: int
    #: Whether the caller gave this reaction.
    mine: bool


class TranslationLabel(msgspec.Struct):
    """Which translation is shown and by whom it was made."""

    id: int
    kind: TranslationKind
    translator: Person | None
    #: The post was edited after this translation was made.
    outdated: bool


class Post(msgspec.Struct):
    id: int
    thread_id: int
    position: int
    author: Person
    #: The language the author wrote in (never changes).
    language: str
    #: ``language`` named in the reader's language.
    language_name: str
    #: The language of ``html``: the reader's when a translation exists, else ``language``.
    shown_language: str
    #: True when ``html`` is a translation; ``translation`` says by whom, ``original_url``
    #: gives the original text.
    is_translation: bool
    translation: TranslationLabel | None
    #: The original, for ``is_translation`` posts.
    original_url: str | None
    #: Sanitized HTML; empty for removed posts.
    html: str
    #: A translation into the reader's language has been asked for and is not done yet.
    translation_requested: bool
    reply_to: ReplyTo | None
    created_at: datetime
    edited_at: datetime | None
    revision: int
    deleted: bool
    hidden: bool
    reactions: list[ReactionCount]
    #: The Markdown as written: only for its author (to edit) and moderators.
    source: str | None = None


class PostPage(msgspec.Struct):
    thread: ThreadSummary
    items: list[Post]
    #: Pass as ``?before=`` for the page before; null on the first page.
    prev_cursor: int | None
    #: Pass as ``?after=`` for the page after; null on the last page.
    next_cursor: int | None
    #: Posts in the thread, the opening one included.
    post_count: int


class PostCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: Body
    language: Locale
    #: The post this one answers.
    reply_to: int | None = None


class PostUpdate(msgspec.Struct, forbid_unknown_fields=True):
    body: Body


class PostRevision(msgspec.Struct):
    revision: int
    html: str
    source: str
    edited_by: Person | None
    replaced_at: datetime


# Translations ----------------------------------------------------------------------------------


class TranslationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Ask for a translation (no ``body``), or give one (translators of ``locale`` and the
    post's author)."""

    locale: Locale
    body: Body | UnsetType = UNSET


class TranslationSubmit(msgspec.Struct, forbid_unknown_fields=True):
    body: Body


class Translation(msgspec.Struct):
    id: int
    post_id: int
    locale: str
    status: TranslationStatus
    kind: TranslationKind | None
    translator: Person | None
    html: str | None
    created_at: datetime
    completed_at: datetime | None
    outdated: bool


class TranslationTask(msgspec.Struct):
    """A post waiting for a translation into ``locale``."""

    id: int
    locale: str
    post_id: int
    thread_id: int
    thread_title: str
    #: The post's language and text to translate from.
    language: str
    source: str
    html: str
    requested_at: datetime


class TranslationTaskPage(msgspec.Struct):
    items: list[TranslationTask]
    next_cursor: int | None


# Moderation ------------------------------------------------------------------------------------


class FlagCreate(msgspec.Struct, forbid_unknown_fields=True):
    reason: FlagReason
    note: Annotated[str, Meta(max_length=500)] = ""


class ModerationNote(msgspec.Struct, forbid_unknown_fields=True):
    reason: Annotated[str, Meta(max_length=500)] = ""


class FlagSummary(msgspec.Struct):
    reason: FlagReason
    note: str
    flagged_by: Person
    created_at: datetime


class FlaggedPost(msgspec.Struct):
    post_id: int
    thread_id: int
    thread_title: str
    author: Person
    html: str
    hidden: bool
    flags: list[FlagSummary]


class ModerationEntry(msgspec.Struct):
    id: int
    moderator: Person | None
    action: str
    thread_id: int | None
    post_id: int | None
    detail: dict[str, object]
    created_at: datetime


class ModerationLogPage(msgspec.Struct):
    items: list[ModerationEntry]
    next_cursor: int | None


# Search ----------------------------------------------------------------------------------------


class SearchHit(msgspec.Struct):
    post_id: int
    thread_id: int
    thread_title: str
    category_id: int
    position: int
    language: str
    author: Person
    created_at: datetime
    #: A passage with the matches in ``<mark>``; everything else escaped. Taken from the text
    #: that matched: the post as written, or its translation.
    snippet_html: str
    #: The text that matched: ``original`` (in ``language``) or ``translation``.
    matched_version: SearchMatch
    #: The language of the text that matched (``language`` for the original).
    matched_language: str


class SearchResult(msgspec.Struct):
    items: list[SearchHit]
    #: Pass as ``?offset=`` for more; null when there are no more.
    next_offset: int | None
    #: Posts found, counted up to 50: the newest 50 matches are ranked and paged.
    total: int
    #: More posts than ``total`` have the words ("more than 50"): narrow the search, or go on
    #: to the older ones with ``next_before``.
    total_is_capped: bool
    #: When capped: pass as ``?before=`` for the next 50 matches, older than these, ranked.
    next_before: int | None = None


# Notifications ---------------------------------------------------------------------------------


class NotificationSettings(msgspec.Struct):
    mode: NotificationMode


class NotificationSettingsUpdate(msgspec.Struct, forbid_unknown_fields=True):
    mode: NotificationMode


class Unsubscribed(msgspec.Struct):
    detail: str


class UnsubscribePreview(msgspec.Struct):
    """What POSTing the stop link does; the GET itself changes nothing."""

    #: How board mail reaches the person now.
    mode: NotificationMode
    detail: str
