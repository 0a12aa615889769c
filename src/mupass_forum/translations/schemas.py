"""The translator workflow at the API edge: catalog and content status, tasks, the change log."""

from __future__ import annotations

from datetime import datetime

import msgspec

from mupass_forum.forums.schemas import Label
from mupass_forum.i18n.text import LocalizedText


class CatalogCompleteness(msgspec.Struct):
    """How complete the interface's catalog of one language is."""

    locale: str
    #: The language's name in the reader's language.
    language: str
    translated: int
    fuzzy: int
    untranslated: int
    total: int
    #: Usable translations in percent, rounded down (100 means complete).
    percent_translated: int


class LocaleCount(msgspec.Struct):
    """Texts of one kind that exist, and that are missing, in one language."""

    locale: str
    present: int
    missing: int


class KindCompleteness(msgspec.Struct):
    """One kind of content of a forum (its own texts, its programme, ...)."""

    kind: Label
    #: Texts of this kind (a title, a description, ...); each should exist in every language.
    texts: int
    locales: list[LocaleCount]


class ForumCompleteness(msgspec.Struct):
    slug: str
    title: LocalizedText
    status: str
    kinds: list[KindCompleteness]


class TranslationStatus(msgspec.Struct):
    """The catalogs of the interface and the content of the forums you may see."""

    catalogs: list[CatalogCompleteness]
    forums: list[ForumCompleteness]
    #: Content that belongs to no forum (the board's categories).
    shared: list[KindCompleteness]


class SourceText(msgspec.Struct):
    """The text to translate from: the original, else any language it exists in."""

    locale: str
    text: str


class TranslationTask(msgspec.Struct):
    """A text of some content that is missing in one language."""

    #: Stable: ``{kind}:{entity id}:{field}:{locale}``, e.g. ``forum:12:title:fr``.
    id: str
    kind: Label
    entity_id: int
    #: The forum the content belongs to; null for shared content.
    forum_slug: str | None
    field: str
    #: The language the text is missing in.
    locale: str
    source: SourceText
    #: Every language the text exists in.
    locales: list[str]
    #: When the content was written or last changed; the queue is ordered by it.
    changed_at: datetime
    #: The longest text accepted.
    max_length: int
    #: For a board post: its thread.
    thread_id: int | None = None
    thread_title: str | None = None


class TaskPage(msgspec.Struct):
    items: list[TranslationTask]
    #: Pass as ``cursor`` for the next page; null on the last one.
    next_cursor: str | None


class MissingText(msgspec.Struct):
    """A text of a forum's content and the languages it is missing in."""

    kind: Label
    entity_id: int
    field: str
    source: SourceText
    locales: list[str]
    missing: list[str]


class ForumTranslations(msgspec.Struct):
    """What of a forum's content is still missing in which language."""

    slug: str
    completeness: list[KindCompleteness]
    missing: list[MissingText]


class TranslationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A translation for a task."""

    text: str
    #: Overwrite a text that exists already in this language.
    replace: bool = False


class TextChange(msgspec.Struct):
    """One translation written, with the text it replaced."""

    id: int
    task_id: str
    kind: str
    entity_id: int
    field: str
    locale: str
    text_before: str | None
    text_after: str
    #: The translator's account; null once it is erased.
    changed_by: int | None
    changed_at: datetime


class TextChangePage(msgspec.Struct):
    items: list[TextChange]
    next_cursor: str | None
