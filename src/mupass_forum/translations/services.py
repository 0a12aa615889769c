"""The translator workflow: how complete the catalogs and the content are, the queue of texts
missing in a translator's languages, and translations written into the content with a log.

The queue is computed from the content itself (a text is a task while its map lacks the
language), so there is nothing to keep in step when content is written, edited or deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from piccolo.custom_types import Combinable

from mupass_forum import db, pagination
from mupass_forum.accounts.authorization import authorize, translates_into
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas as board_schemas
from mupass_forum.board.queries import open_requests, pending_translations
from mupass_forum.board.services import BoardService
from mupass_forum.board.tables import Category
from mupass_forum.clock import as_utc, now
from mupass_forum.consent.tables import ConsentNotice
from mupass_forum.errors import (
    Conflict,
    FieldError,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
)
from mupass_forum.forums.authorization import sees_forum
from mupass_forum.forums.queries import editable_forum, forum_ref_by_id, visible_forums_condition
from mupass_forum.forums.schemas import Label
from mupass_forum.forums.tables import Forum, ProgrammeItem
from mupass_forum.i18n import N_, _, language_name, supported_locales
from mupass_forum.i18n.text import TranslatableText, localize, text_problems
from mupass_forum.rows import rows_as
from mupass_forum.settings import Settings
from mupass_forum.translations import catalogs, schemas
from mupass_forum.translations.content import (
    BOARD_CATEGORY,
    BOARD_POST,
    BOARD_POST_LABEL,
    BOARD_POST_LENGTH,
    CONSENT_NOTICE_LABEL,
    FORUM,
    KINDS,
    PROGRAMME_ITEM,
    ContentKind,
    kind_named,
)
from mupass_forum.translations.tables import TextChange

# Catalogs --------------------------------------------------------------------------------------

#: Catalog files are read at start-up only, so their status is read once per process.
_catalog_status: dict[tuple[str, tuple[str, ...]], list[catalogs.CatalogStatus]] = {}


def catalog_status(settings: Settings) -> list[schemas.CatalogCompleteness]:
    """Translated, fuzzy and untranslated entries of each configured catalog."""
    files = catalogs.CatalogFiles.configured(settings)
    key = (str(files.locales_dir), files.locales)
    if key not in _catalog_status:
        _catalog_status[key] = catalogs.status(files)
    return [
        schemas.CatalogCompleteness(
            locale=entry.locale,
            language=language_name(entry.locale),
            translated=entry.translated,
            fuzzy=entry.fuzzy,
            untranslated=entry.untranslated,
            total=entry.total,
            percent_translated=entry.percent,
        )
        for entry in _catalog_status[key]
    ]


# Texts of content ------------------------------------------------------------------------------


def _text(value: str | None) -> TranslatableText | None:
    if value is None or value == "":
        return None
    text = TranslatableText.from_json(value)
    return text if text.texts else None


def _source(text: TranslatableText) -> schemas.SourceText:
    locale = text.original if text.original in text.texts else sorted(text.texts)[0]
    return schemas.SourceText(locale=locale, text=text.texts[locale])


def _label(kind_name: str, label: str) -> Label:
    return Label(value=kind_name, label=_(label))


def _completeness(
    kind_name: str, label: str, texts: Sequence[TranslatableText], locales: Sequence[str]
) -> schemas.KindCompleteness:
    counts = []
    for locale in locales:
        present = sum(1 for text in texts if locale in text.texts)
        counts.append(
            schemas.LocaleCount(locale=locale, present=present, missing=len(texts) - present)
        )
    return schemas.KindCompleteness(kind=_label(kind_name, label), texts=len(texts), locales=counts)


@dataclass(frozen=True, slots=True)
class _Texts:
    """The texts of one piece of content, field by field."""

    kind: ContentKind
    entity_id: int
    fields: Mapping[str, TranslatableText]


def _texts_of(kind: ContentKind, row: Mapping[str, Any]) -> _Texts:
    fields = {}
    for field in kind.fields:
        text = _text(row[field])
        if text is not None:
            fields[field] = text
    return _Texts(kind=kind, entity_id=row["id"], fields=fields)


@dataclass(frozen=True, slots=True)
class _ForumContent:
    forum: Mapping[str, Any]
    parts: list[_Texts]
    #: The current version of the forum's consent notice, if one was published.
    notice: TranslatableText | None


class _NoticeVersion(msgspec.Struct, frozen=True, kw_only=True):
    forum: int
    version: int
    #: JSON of a ``TranslatableText``.
    text: str


async def _forum_content(forum_rows: Sequence[Mapping[str, Any]]) -> list[_ForumContent]:
    """The texts of ``forum_rows`` and of their programmes and notices, in two more queries."""
    ids = [row["id"] for row in forum_rows]
    items: dict[int, list[_Texts]] = {forum_id: [] for forum_id in ids}
    notices: dict[int, tuple[int, TranslatableText]] = {}
    if ids:
        for row in await ProgrammeItem.select(
            ProgrammeItem.id,
            ProgrammeItem.forum,
            *(PROGRAMME_ITEM.column(field) for field in PROGRAMME_ITEM.fields),
        ).where(ProgrammeItem.forum.is_in(ids)):
            items[row["forum"]].append(_texts_of(PROGRAMME_ITEM, row))
        for row in await Category.select(
            Category.id,
            Category.forum.as_alias("forum"),
            *(BOARD_CATEGORY.column(field) for field in BOARD_CATEGORY.fields),
        ).where(Category.forum.is_in(ids)):
            items[row["forum"]].append(_texts_of(BOARD_CATEGORY, row))
        versions = await ConsentNotice.select(
            ConsentNotice.forum, ConsentNotice.version, ConsentNotice.text
        ).where(ConsentNotice.forum.is_in(ids))
        for notice in rows_as(versions, _NoticeVersion):
            text = _text(notice.text)
            kept = notices.get(notice.forum)
            if text is not None and (kept is None or kept[0] < notice.version):
                notices[notice.forum] = (notice.version, text)
    return [
        _ForumContent(
            forum=row,
            parts=[_texts_of(FORUM, row), *items[row["id"]]],
            notice=notices[row["id"]][1] if row["id"] in notices else None,
        )
        for row in forum_rows
    ]


def _kinds_of(content: _ForumContent, locales: Sequence[str]) -> list[schemas.KindCompleteness]:
    found = []
    for kind in KINDS:
        texts = [
            text for part in content.parts if part.kind is kind for text in part.fields.values()
        ]
        found.append(_completeness(kind.name, kind.label, texts, locales))
    notices = [content.notice] if content.notice is not None else []
    found.append(_completeness("consent_notice", CONSENT_NOTICE_LABEL, notices, locales))
    return found


_FORUM_TEXT_COLUMNS = (
    Forum.id,
    Forum.slug,
    Forum.status,
    *(FORUM.column(field) for field in FORUM.fields),
)


async def translation_status(principal: Principal, settings: Settings) -> schemas.TranslationStatus:
    """The catalogs, and the content of every forum the caller may see, most recent first."""
    query = Forum.select(*_FORUM_TEXT_COLUMNS).order_by(Forum.starts_at, ascending=False)
    visible = await visible_forums_condition(principal)
    if visible is not None:
        query = query.where(visible)
    locales = supported_locales()
    forums = []
    for content in await _forum_content(await query):
        title = _text(content.forum["title"])
        assert title is not None
        forums.append(
            schemas.ForumCompleteness(
                slug=content.forum["slug"],
                title=localize(title),
                status=content.forum["status"],
                kinds=_kinds_of(content, locales),
            )
        )
    shared = [
        text
        for row in await Category.select(
            Category.id, *(BOARD_CATEGORY.column(field) for field in BOARD_CATEGORY.fields)
        ).where(Category.forum.is_null())
        for text in _texts_of(BOARD_CATEGORY, row).fields.values()
    ]
    return schemas.TranslationStatus(
        catalogs=catalog_status(settings),
        forums=forums,
        shared=[_completeness(BOARD_CATEGORY.name, BOARD_CATEGORY.label, shared, locales)],
    )


async def forum_translations(principal: Principal, slug: str) -> schemas.ForumTranslations:
    """What of a forum's content is missing in which language (those who edit the forum)."""
    forum = await editable_forum(principal, slug)
    rows = await Forum.select(*_FORUM_TEXT_COLUMNS).where(Forum.id == forum.id)
    (content,) = await _forum_content(rows)
    locales = supported_locales()
    missing = []
    for part in content.parts:
        for field, text in part.fields.items():
            lacking = sorted(locale for locale in locales if locale not in text.texts)
            if lacking:
                missing.append(
                    schemas.MissingText(
                        kind=_label(part.kind.name, part.kind.label),
                        entity_id=part.entity_id,
                        field=field,
                        source=_source(text),
                        locales=sorted(text.texts),
                        missing=lacking,
                    )
                )
    return schemas.ForumTranslations(
        slug=slug, completeness=_kinds_of(content, locales), missing=missing
    )


# The queue -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, order=True)
class _Position:
    """A task's place in the queue: content changed earlier first, then kind, id, field, locale."""

    changed_at: datetime
    kind_rank: int
    entity_id: int
    field_rank: int
    locale: str


def _encode_cursor(position: _Position) -> str:
    return pagination.encode_cursor(
        [
            position.changed_at.isoformat(),
            position.kind_rank,
            position.entity_id,
            position.field_rank,
            position.locale,
        ]
    )


def _decode_cursor(cursor: str) -> _Position:
    at, kind_rank, entity_id, field_rank, locale = pagination.decode_cursor(
        cursor, tuple[str, int, int, int, str]
    )
    try:
        stamp = as_utc(datetime.fromisoformat(at))
    except ValueError as exc:
        raise pagination.invalid_cursor() from exc
    return _Position(stamp, kind_rank, entity_id, field_rank, locale)


def queue_locales(principal: Principal, locale: str | None) -> tuple[str, ...]:
    """The languages of the caller's queue: ``locale`` if they translate into it, else all theirs.

    Platform admins who hold no translator role see every language of the service.
    """
    if locale is not None:
        if locale not in supported_locales():
            raise InvalidInput(
                FieldError(
                    N_("{locale} is not one of the languages of this service ({supported})."),
                    "unsupported_locale",
                    parameter="locale",
                    params={"locale": locale, "supported": ", ".join(supported_locales())},
                )
            )
        return (locale,) if translates_into(principal, locale) else _refuse(principal)
    if principal.translator_locales:
        return tuple(sorted(principal.translator_locales))
    if principal.is_platform_admin:
        return supported_locales()
    return _refuse(principal)


def _refuse(principal: Principal) -> tuple[str, ...]:
    if not principal.is_authenticated:
        raise NotAuthenticated()
    raise Forbidden(
        "not_a_translator",
        N_("Only translators into a language (and platform admins) have a translation queue."),
    )


def _after(kind: ContentKind, rank: int, after: _Position) -> Combinable:
    """Rows of ``kind`` that may hold tasks after ``after`` (the row at it may, in part)."""
    if rank < after.kind_rank:
        return kind.changed_at > after.changed_at
    if rank > after.kind_rank:
        return kind.changed_at >= after.changed_at
    return (kind.changed_at > after.changed_at) | (
        (kind.changed_at == after.changed_at) & (kind.id >= after.entity_id)
    )


#: Board posts come after every kind of content changed at the same instant.
_BOARD_RANK = len(KINDS)
#: Sorts after every field of a row and every locale: a position covering a whole row.
_LAST_FIELD, _LAST_LOCALE = 1_000, "~"


def _tasks(
    kind: ContentKind,
    rank: int,
    row: Mapping[str, Any],
    locales: Sequence[str],
) -> Iterable[tuple[_Position, schemas.TranslationTask]]:
    changed_at = as_utc(row["changed_at"])
    texts = _texts_of(kind, row)
    for field_rank, field in enumerate(kind.fields):
        text = texts.fields.get(field)
        if text is None:
            continue
        for locale in locales:
            if locale in text.texts:
                continue
            position = _Position(changed_at, rank, texts.entity_id, field_rank, locale)
            yield (
                position,
                schemas.TranslationTask(
                    id=task_id_of(kind.name, texts.entity_id, field, locale),
                    kind=_label(kind.name, kind.label),
                    entity_id=texts.entity_id,
                    forum_slug=row["forum_slug"],
                    field=field,
                    locale=locale,
                    source=_source(text),
                    locales=sorted(text.texts),
                    changed_at=changed_at,
                    max_length=kind.fields[field],
                ),
            )


async def _visible(principal: Principal, kind: ContentKind) -> Combinable | None:
    visible = await visible_forums_condition(principal, kind.forum)
    if visible is not None and kind.forum_optional:
        visible |= kind.forum.is_null()
    return visible


_Found = list[tuple[_Position, schemas.TranslationTask]]


async def _content_tasks(
    principal: Principal,
    rank: int,
    kind: ContentKind,
    locales: Sequence[str],
    after: _Position | None,
    limit: int,
) -> tuple[_Found, _Position | None]:
    """The tasks of the next ``limit + 1`` rows of ``kind``, and the last row's end if there
    may be more."""
    query = kind.table.select(
        kind.id,
        kind.changed_at.as_alias("changed_at"),
        kind.forum_slug.as_alias("forum_slug"),
        *(kind.column(field) for field in kind.fields),
    ).where(kind.missing_in(locales))
    visible = await _visible(principal, kind)
    if visible is not None:
        query = query.where(visible)
    if after is not None:
        query = query.where(_after(kind, rank, after))
    rows = await query.order_by(kind.changed_at, kind.id).limit(limit + 1)
    found = [task for row in rows for task in _tasks(kind, rank, row, locales)]
    if len(rows) <= limit:
        return found, None
    last = rows[-1]
    return found, _Position(as_utc(last["changed_at"]), rank, last["id"], _LAST_FIELD, _LAST_LOCALE)


async def _board_tasks(
    principal: Principal, locales: Sequence[str], after: _Position | None, limit: int
) -> tuple[_Found, _Position | None]:
    """Board posts whose translation was asked for, from the board's own requests."""
    board_after = None
    if after is not None:
        board_after = (
            (after.changed_at, after.entity_id, after.locale)
            if after.kind_rank == _BOARD_RANK
            else (after.changed_at, 0, "")
        )
    pending, last = await pending_translations(principal, locales, board_after, limit)
    found = [
        (
            _Position(request.requested_at, _BOARD_RANK, request.post_id, 0, request.locale),
            schemas.TranslationTask(
                id=task_id_of(BOARD_POST, request.post_id, "body", request.locale),
                kind=_label(BOARD_POST, BOARD_POST_LABEL),
                entity_id=request.post_id,
                forum_slug=None,
                field="body",
                locale=request.locale,
                source=schemas.SourceText(locale=request.language, text=request.source),
                locales=[request.language],
                changed_at=request.requested_at,
                max_length=BOARD_POST_LENGTH,
                thread_id=request.thread_id,
                thread_title=request.thread_title,
            ),
        )
        for request in pending
    ]
    horizon = None if last is None else _Position(last[0], _BOARD_RANK, last[1], 0, last[2])
    return found, horizon


async def task_queue(
    principal: Principal, locale: str | None, cursor: str | None, limit: int
) -> schemas.TaskPage:
    """Texts missing in the caller's languages and board posts whose translation was asked
    for, of what was written (or asked for) longest ago first.

    One query per kind: each reads one row more than the page. Where a kind may have more rows
    than it read, the page ends at its last row read at the latest (its ``horizon``), so that
    no task of a row not read yet can belong before the page's end.
    """
    locales = queue_locales(principal, locale)
    after = _decode_cursor(cursor) if cursor is not None else None
    found: _Found = []
    horizons: list[_Position] = []
    for rank, kind in enumerate(KINDS):
        tasks, horizon = await _content_tasks(principal, rank, kind, locales, after, limit)
        found += tasks
        horizons += [horizon] if horizon is not None else []
    tasks, horizon = await _board_tasks(principal, locales, after, limit)
    found += tasks
    horizons += [horizon] if horizon is not None else []
    end = min(horizons) if horizons else None
    found = sorted(
        task
        for task in found
        if (after is None or task[0] > after) and (end is None or task[0] <= end)
    )
    page = found[:limit]
    if len(found) > limit:
        next_position: _Position | None = page[-1][0]
    else:
        next_position = end
    return schemas.TaskPage(
        items=[task for _position, task in page],
        next_cursor=_encode_cursor(next_position) if next_position is not None else None,
    )


# Translating -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TaskRef:
    #: None for a board post.
    kind: ContentKind | None
    entity_id: int
    field: str
    locale: str

    @property
    def kind_name(self) -> str:
        return self.kind.name if self.kind is not None else BOARD_POST

    @property
    def max_length(self) -> int:
        return self.kind.fields[self.field] if self.kind is not None else BOARD_POST_LENGTH


def task_id_of(kind: str, entity_id: int, field: str, locale: str) -> str:
    """The stable id of a task: ``forum:12:title:fr``."""
    return f"{kind}:{entity_id}:{field}:{locale}"


def _task_not_found() -> NotFound:
    return NotFound("translation_task_not_found")


def parse_task_id(task_id: str) -> TaskRef:
    """``forum:12:title:fr`` -> its parts; a 404 for anything that names no task."""
    parts = task_id.split(":")
    if len(parts) != 4 or not parts[1].isdigit() or parts[3] not in supported_locales():
        raise _task_not_found()
    name, entity_id, field, locale = parts[0], int(parts[1]), parts[2], parts[3]
    if name == BOARD_POST and field == "body":
        return TaskRef(kind=None, entity_id=entity_id, field=field, locale=locale)
    kind = kind_named(name)
    if kind is None or field not in kind.fields:
        raise _task_not_found()
    return TaskRef(kind=kind, entity_id=entity_id, field=field, locale=locale)


async def _check_visible(principal: Principal, kind: ContentKind, entity_id: int) -> None:
    """The content exists and its forum, if any, is one the caller may see (a draft's is 404)."""
    row = (
        await kind.table.select(kind.forum_id.as_alias("forum_id"))
        .where(kind.id == entity_id)
        .first()
    )
    if row is None:
        raise _task_not_found()
    if row["forum_id"] is not None:
        await authorize(principal, sees_forum, await forum_ref_by_id(row["forum_id"]), hide=True)


def _changes(rows: Sequence[dict[str, Any]]) -> list[schemas.TextChange]:
    """``CHANGE_COLUMNS`` rows as changes, each with the id of its task."""
    for row in rows:
        row["task_id"] = task_id_of(row["kind"], row["entity_id"], row["field"], row["locale"])
    return rows_as(rows, schemas.TextChange)


async def _log(
    principal: Principal, task: TaskRef, before: str | None, after: str
) -> schemas.TextChange:
    inserted = await TextChange.insert(
        TextChange(
            kind=task.kind_name,
            entity_id=task.entity_id,
            field=task.field,
            locale=task.locale,
            text_before=before,
            text_after=after,
            changed_by=principal.user_id,
            changed_at=now(),
        )
    ).returning(*CHANGE_COLUMNS)
    return _changes(inserted)[0]


async def translate(
    principal: Principal, task_id: str, data: schemas.TranslationCreate, board: BoardService
) -> schemas.TextChange:
    """Write a translation into the content, with a change-log row, in one transaction."""
    task = parse_task_id(task_id)
    await authorize(principal, translates_into, task.locale)
    checked, problems = text_problems({task.locale: data.text}, "/text", max_length=task.max_length)
    if problems or checked is None:
        raise InvalidInput(*(_at_text(problem) for problem in problems))
    translation = checked.texts[task.locale]
    if task.kind is None:
        return await _translate_post(principal, task, translation, board)
    kind = task.kind
    await _check_visible(principal, kind, task.entity_id)
    column = kind.column(task.field)
    async with db.transaction():
        query = kind.table.select(kind.id, column).where(kind.id == task.entity_id)
        if db.is_postgres():
            query = query.lock_rows()
        row = await query.first()
        if row is None:
            raise _task_not_found()
        current = _text(row[task.field])
        if current is None:
            raise Conflict(
                "nothing_to_translate",
                N_("This text has not been written in any language yet."),
            )
        before = current.texts.get(task.locale)
        if before is not None and not data.replace:
            raise Conflict(
                "already_translated",
                N_("This text exists in {locale} already. Send replace=true to overwrite it."),
                locale=task.locale,
            )
        updated = TranslatableText(
            texts={**current.texts, task.locale: translation}, original=current.original
        )
        values: dict[Any, Any] = {column: updated.to_json()}
        if kind.updated_at is not None:
            values[kind.updated_at] = now()
        await kind.table.update(values).where(kind.id == task.entity_id)
        return await _log(principal, task, before, translation)


async def _translate_post(
    principal: Principal, task: TaskRef, translation: str, board: BoardService
) -> schemas.TextChange:
    """A board post's translation, stored by the board as a new version, and logged here.

    Only a requested translation is a task; further versions of a post are the board's own
    (``POST /board/posts/{id}/translations``).
    """
    async with db.transaction():
        if not await open_requests(task.entity_id, task.locale):
            raise Conflict(
                "task_done",
                N_("Nobody is waiting for this translation: it has been done already."),
            )
        await board.translate(
            principal,
            task.entity_id,
            board_schemas.TranslationCreate(locale=task.locale, body=translation),
        )
        return await _log(principal, task, None, translation)


def _at_text(problem: FieldError) -> FieldError:
    """A problem of the text sent, pointed at the body's ``/text`` (not at a map's locale)."""
    return FieldError(problem.message, problem.code, pointer="/text", params=dict(problem.params))


# The change log --------------------------------------------------------------------------------

CHANGE_COLUMNS = (
    TextChange.id,
    TextChange.kind,
    TextChange.entity_id,
    TextChange.field,
    TextChange.locale,
    TextChange.text_before,
    TextChange.text_after,
    TextChange.changed_by,
    TextChange.changed_at,
)


async def list_changes(
    principal: Principal,
    task_id: str | None,
    locale: str | None,
    cursor: str | None,
    limit: int,
) -> schemas.TextChangePage:
    """Translations written, newest first: in the caller's languages (every one for admins)."""
    query = TextChange.select(*CHANGE_COLUMNS)
    if task_id is not None:
        task = parse_task_id(task_id)
        locale = task.locale
        query = query.where(
            TextChange.kind == task.kind_name,
            TextChange.entity_id == task.entity_id,
            TextChange.field == task.field,
        )
    locales = queue_locales(principal, locale)
    query = query.where(TextChange.locale.is_in(list(locales)))
    if cursor is not None:
        if not cursor.isdigit():
            raise pagination.invalid_cursor()
        query = query.where(TextChange.id < int(cursor))
    rows = await query.order_by(TextChange.id, ascending=False).limit(limit + 1)
    page = _changes(rows[:limit])
    return schemas.TextChangePage(
        items=page, next_cursor=str(page[-1].id) if len(rows) > limit else None
    )


__all__ = [
    "CHANGE_COLUMNS",
    "catalog_status",
    "forum_translations",
    "list_changes",
    "parse_task_id",
    "queue_locales",
    "task_queue",
    "translate",
    "translation_status",
]
