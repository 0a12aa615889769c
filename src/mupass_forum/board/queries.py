"""The board's SQL and its rows as the API shows them: categories, threads, pages of posts with
their reactions and translations, and the translators' queue.

Reads are written for a board with millions of posts: every page is one index range read
(threads by ``(category, pinned, last_post_id)``, posts by ``(thread, position)``), and what a
page shows beside the posts (reactions, translations) comes from one batch query each, so a
request costs the same few queries whatever its page size or depth.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import msgspec
from babel import Locale

from mupass_forum import db
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import schemas
from mupass_forum.board.authorization import (
    PostContext,
    readable_categories,
)
from mupass_forum.board.sql import ACCESS_COLUMNS, AccessRow, person, query
from mupass_forum.board.tables import Follow, Post
from mupass_forum.clock import as_utc, as_utc_or_none, now
from mupass_forum.db import placeholders
from mupass_forum.errors import (
    NotFound,
)
from mupass_forum.i18n import N_, gettext, language_name
from mupass_forum.i18n.locale import content_preference
from mupass_forum.i18n.text import TranslatableText
from mupass_forum.privacy.registry import FORMER_PARTICIPANT
from mupass_forum.rows import Moment, row_as, rows_as

API = "/api/v1/board"


@functools.lru_cache(maxsize=128)
def language_label(reader: str, code: str) -> str:
    """``code`` named in the ``reader``'s language (CLDR); cached, as every post shows one."""
    return language_name(code, Locale.parse(reader))


def decode_list(raw: str | list[str] | None) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, list):
        return [str(item) for item in raw]
    return list(msgspec.json.decode(raw, type=list[str]))


CATEGORY_COLUMNS = (
    "c.id AS c_id, c.slug AS c_slug, c.name AS c_name, c.description AS c_description, "
    "c.position AS c_position, c.read_access AS c_read_access, c.post_access AS c_post_access, "
    "c.forum_id AS c_forum_id, c.series_id AS c_series_id"
)
#: The series' slug, for ``category_of`` (a page of posts does not show its category).
SERIES_COLUMN = "(SELECT s.slug FROM forum_series s WHERE s.id = c.series_id) AS c_series"


class CategoryRow(AccessRow, frozen=True, kw_only=True):
    """A category as ``CATEGORY_COLUMNS`` read it; ``c_series`` with ``SERIES_COLUMN``."""

    c_slug: str
    #: The stored ``{locale: text}`` maps, as JSON.
    c_name: str
    c_description: str | None
    c_position: int
    c_series_id: int | None
    c_series: str | None = None


def encode_text(text: TranslatableText | None) -> str | None:
    return None if text is None else msgspec.json.encode(text.to_json()).decode()


THREAD_COLUMNS = (
    "t.id AS t_id, t.category AS t_category, t.title AS t_title, t.language AS t_language, "
    "t.tags AS t_tags, t.author AS t_author, ta.display_name AS t_author_name, "
    "t.pinned AS t_pinned, t.locked AS t_locked, t.created_at AS t_created_at, "
    "t.last_activity_at AS t_last_activity_at, t.last_post_id AS t_last_post_id, "
    "t.post_count AS t_post_count"
)


class ThreadRow(msgspec.Struct, frozen=True, kw_only=True):
    """A thread as ``THREAD_COLUMNS`` read it."""

    t_id: int
    t_category: int
    t_title: str
    t_language: str
    t_tags: str | list[str] | None
    t_author: int
    t_author_name: str | None
    t_pinned: bool
    t_locked: bool
    t_created_at: Moment
    t_last_activity_at: Moment
    t_last_post_id: int
    t_post_count: int
    #: Read with ``FOLLOWING_COLUMN`` only.
    following: int = 0
    #: Read by ``list_posts`` for a page around a post: the post's place, None for no such post.
    around_position: int | None = None


def thread_summary(row: ThreadRow) -> schemas.ThreadSummary:
    return schemas.ThreadSummary(
        id=row.t_id,
        category_id=row.t_category,
        title=row.t_title,
        language=row.t_language,
        tags=decode_list(row.t_tags),
        author=person(row.t_author, row.t_author_name),
        pinned=row.t_pinned,
        locked=row.t_locked,
        created_at=as_utc(row.t_created_at),
        last_activity_at=as_utc(row.t_last_activity_at),
        reply_count=max(0, row.t_post_count - 1),
    )


POST_COLUMNS = (
    "p.id, p.thread, p.position, p.author, pa.display_name AS author_name, p.language, p.html, "
    "p.reply_to, r.position AS reply_position, r.author AS reply_author, "
    "ra.display_name AS reply_author_name, p.created_at, p.edited_at, p.revision, "
    "p.deleted_at, p.hidden_at"
)
POST_JOINS = (
    "JOIN account_user pa ON pa.id = p.author "
    "LEFT JOIN board_post r ON r.id = p.reply_to "
    "LEFT JOIN account_user ra ON ra.id = r.author"
)


class PostTranslation(msgspec.Struct, frozen=True, array_like=True):
    """The translation a post is shown in, as ``post_json`` reads it."""

    id: int
    kind: str
    translator: int | None
    translator_name: str | None
    html: str | None
    #: The post's revision it was made from.
    post_revision: int
    locale: str


class _Found(msgspec.Struct, frozen=True):
    """The translation to show of a post as ``PostSql`` reads it (``found``), if any."""

    found: PostTranslation | None = None


#: A post as ``PostSql`` reads it: everything the API shows but the language's name and what
#: depends on the caller's roles, and the translation to show, if any.
PostJson = tuple[schemas.Post, PostTranslation | None]


@dataclasses.dataclass(frozen=True)
class PostSql:
    """A post (``p`` with ``POST_JOINS``) as SQL for JSON that decodes to ``schemas.Post``,
    with its reactions (the caller's own marked) and, under ``found``, its newest translation
    into the reader's language (``post_json``).

    Made in the database, the posts of a page are one value that msgspec decodes into the
    API's structs in one call: read as rows, each post cost a Python call and twenty fields,
    and PostgreSQL repeated the thread's columns on every row. Each part is an index lookup
    per post, so a page stays one query whatever its size."""

    #: (key, SQL), in the order of ``args``.
    fields: tuple[tuple[str, str], ...]
    args: tuple[Any, ...]

    def as_object(self, *, postgres: bool) -> str:
        build = "json_build_object" if postgres else "json_object"
        return f"{build}({', '.join(f'{key!r}, {sql}' for key, sql in self.fields)})"

    def as_columns(self) -> str:
        return ", ".join(f"{sql} AS {key}" for key, sql in self.fields)


def post_json(user_id: int | None, locale: str, translate: bool) -> PostSql:
    preferred = content_preference(locale) if translate else ()
    former = gettext(FORMER_PARTICIPANT)
    translated = [locale, locale, locale, *preferred * 4] if translate else []
    return PostSql(
        _post_fields(db.is_postgres(), preferred),
        (former, *translated[:2], former, user_id or 0, *translated[2:]),
    )


@functools.lru_cache(maxsize=64)
def _post_fields(postgres: bool, preferred: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """``PostSql.fields``: with a translation into ``preferred[0]`` when ``preferred``."""
    obj, array, aggregate, false = (
        ("json_build_object", "json_build_array", "json_agg", "false")
        if postgres
        else ("json_object", "json_array", "json_group_array", "0")
    )
    # SQLite keeps a value's JSON only from function to function: a subquery's is read again.
    nested = "{}" if postgres else "json({})"
    order = " ORDER BY x.kind" if postgres else ""
    # Most posts have no reactions and no translations: one probe of the index each finds
    # that, and the grouping and ranking run only for the posts that have some.
    reactions = (
        "CASE WHEN EXISTS (SELECT 1 FROM board_reaction WHERE post = p.id) THEN "
        + nested.format(
            f"(SELECT {aggregate}({obj}('kind', x.kind, 'count', x.n, 'mine', x.mine > 0)"
            f"{order}) FROM (SELECT kind, count(*) AS n, "
            'max(CASE WHEN "user" = {} THEN 1 ELSE 0 END) AS mine '
            "FROM board_reaction WHERE post = p.id GROUP BY kind ORDER BY kind) x)"
        )
        + " ELSE "
        + nested.format("'[]'")
        + " END"
    )
    requested, found = false, "NULL"
    if preferred:
        # The reader's language, then the configured fallbacks (English by default), then the
        # original: a translation counts only when its language comes before the post's own.
        marks = placeholders(preferred)
        untranslated = (
            "p.language = {} OR NOT EXISTS (SELECT 1 FROM board_translation WHERE post = p.id)"
        )
        requested = (
            f"CASE WHEN {untranslated} THEN {false} ELSE (SELECT count(*) > 0 "
            "FROM board_translation tr WHERE tr.post = p.id AND tr.locale = {} "
            "AND tr.status = 'requested') END"
        )
        newest = nested.format(
            f"(SELECT {array}(tr.id, tr.kind, tr.translator, tu.display_name, tr.html, "
            "tr.post_revision, tr.locale) FROM board_translation tr "
            "LEFT JOIN account_user tu ON tu.id = tr.translator "
            f"WHERE tr.post = p.id AND tr.locale IN ({marks}) AND tr.status = 'done' "
            f"AND {_rank('tr.locale', preferred)} < {_rank('p.language', preferred)} "
            f"ORDER BY {_rank('tr.locale', preferred)}, tr.id DESC LIMIT 1)"
        )
        found = f"CASE WHEN {untranslated} THEN NULL ELSE {newest} END"
    name = "COALESCE(NULLIF({}.display_name, ''), {{}})"
    return (
        ("id", "p.id"),
        ("thread_id", "p.thread"),
        ("position", "p.position"),
        ("author", f"{obj}('id', p.author, 'display_name', {name.format('pa')})"),
        ("language", "p.language"),
        ("language_name", "''"),
        ("shown_language", "p.language"),
        ("is_translation", false),
        ("translation", "NULL"),
        ("original_url", "NULL"),
        ("html", "p.html"),
        ("translation_requested", requested),
        (
            "reply_to",
            "CASE WHEN p.reply_to IS NOT NULL AND r.position IS NOT NULL THEN "
            f"{obj}('id', p.reply_to, 'position', r.position, 'author', "
            f"{obj}('id', r.author, 'display_name', {name.format('ra')})) END",
        ),
        ("created_at", "p.created_at"),
        ("edited_at", "p.edited_at"),
        ("revision", "p.revision"),
        ("deleted", "p.deleted_at IS NOT NULL"),
        ("hidden", "p.hidden_at IS NOT NULL"),
        ("reactions", reactions),
        ("found", found),
    )


def decode_posts(raw: str | None) -> list[PostJson]:
    """Posts as a page aggregated them (None for none): one decoding for what the API shows,
    one for the translations (msgspec skips what a struct does not name)."""
    if raw is None:
        return []
    posts = msgspec.json.decode(raw, type=list[schemas.Post], strict=False)
    # Most pages show no translation: read the text again only when one is there (inside a
    # JSON string a quote is escaped, so only the key itself matches).
    if '"found":[' not in raw:
        return [(post, None) for post in posts]
    found = msgspec.json.decode(raw, type=list[_Found], strict=False)
    return [(post, extra.found) for post, extra in zip(posts, found, strict=True)]


def _rank(column: str, preferred: Sequence[str]) -> str:
    """SQL for the place of ``column``'s language in ``preferred`` (one argument each)."""
    cases = " ".join(f"WHEN {{}} THEN {place}" for place in range(len(preferred)))
    return f"CASE {column} {cases} ELSE {len(preferred)} END"


async def open_requests(post_id: int, locale: str) -> list[int]:
    """The request for a translation of the post into ``locale`` not done yet (one at most)."""
    rows = await query(
        "SELECT id FROM board_translation WHERE post = {} AND locale = {} AND status = 'requested'",
        post_id,
        locale,
    )
    return [int(row["id"]) for row in rows]


async def category_rows(readable: str, args: Sequence[Any]) -> list[CategoryRow]:
    """The categories ``readable`` (a condition on ``c`` and its ``args``) admits, in order."""
    rows = await query(
        f"SELECT {CATEGORY_COLUMNS}, {SERIES_COLUMN} FROM board_category c WHERE {readable} "
        "ORDER BY c.position, c.id",
        *args,
    )
    return rows_as(rows, CategoryRow)


async def category_ids(readable: str, args: Sequence[Any]) -> list[int]:
    rows = await query(f"SELECT c.id FROM board_category c WHERE {readable}", *args)
    return [int(row["id"]) for row in rows]


async def category_row(category_id: int) -> CategoryRow:
    rows = await query(
        f"SELECT {CATEGORY_COLUMNS}, {SERIES_COLUMN} FROM board_category c WHERE c.id = {{}}",
        category_id,
    )
    if not rows:
        raise NotFound("category_not_found", N_("There is no such category."))
    return row_as(rows[0], CategoryRow)


#: Whether the caller (one argument: their id, 0 for nobody) follows the thread ``t``.
FOLLOWING_COLUMN = (
    '(SELECT count(*) FROM board_follow f WHERE f.thread = t.id AND f."user" = {}) AS following'
)


async def thread_rows(
    category_id: int, after: tuple[bool, int] | None, limit: int
) -> list[ThreadRow]:
    """A category's threads, pinned first, then by their latest post; ``after`` is the
    (pinned, last post) of the thread before the page."""
    condition, args = "", [category_id]
    if after is not None:
        pinned, last_post_id = after
        condition = "AND (t.pinned < {} OR (t.pinned = {} AND t.last_post_id < {}))"
        args += [pinned, pinned, last_post_id]
    rows = await query(
        f"SELECT {THREAD_COLUMNS} FROM board_thread t "
        "JOIN account_user ta ON ta.id = t.author "
        f"WHERE t.category = {{}} {condition} "
        "ORDER BY t.pinned DESC, t.last_post_id DESC LIMIT {}",
        *args,
        limit,
    )
    return rows_as(rows, ThreadRow)


async def thread_row(
    thread_id: int, *, extra: str = "", args: Sequence[Any] = ()
) -> tuple[ThreadRow, CategoryRow]:
    """A thread and its category, with ``extra`` columns (read into ``ThreadRow``)."""
    rows = await db.read_indexed(
        f"SELECT {THREAD_COLUMNS}, {CATEGORY_COLUMNS}{extra} FROM board_thread t "
        "JOIN account_user ta ON ta.id = t.author "
        "JOIN board_category c ON c.id = t.category WHERE t.id = {}",
        *args,
        thread_id,
    )
    if not rows:
        raise NotFound("thread_not_found", N_("There is no such thread."))
    return _thread_and_category(rows[0])


def _thread_and_category(row: Mapping[str, Any]) -> tuple[ThreadRow, CategoryRow]:
    found = dict(row)  # an asyncpg record is no dict
    return row_as(found, ThreadRow), row_as(found, CategoryRow)


class PageThreadRow(ThreadRow, frozen=True, kw_only=True):
    """A thread as ``thread_and_page`` reads it, with its page of posts as one JSON value."""

    posts: str | None = None


async def thread_and_page(
    thread_id: int,
    post: PostSql,
    *,
    after: int | None,
    before: int | None,
    last: bool,
    around: int | None,
    limit: int,
) -> tuple[PageThreadRow, CategoryRow, list[PostJson]]:
    """A thread's row and a page of its posts (``post``), in one statement on either
    database: the page is one JSON value beside the thread's columns, so neither database
    repeats the thread on every post, nor the driver decodes a row per post. Around a post,
    ``around_position`` is None for a post not in the thread. Whether the caller may read the
    thread is checked after."""
    if before is not None:
        page, page_args = "before", [before]
    elif last:
        page, page_args = "last", []
    elif around is not None:
        page, page_args = "around", [around, limit // 2, limit]
    else:
        page, page_args = "after", [after or 0]
    rows = await db.read_indexed(
        _page_statement(post.fields, db.is_postgres(), page),
        *([around] if around is not None else []),
        *post.args,
        *page_args,
        limit,
        thread_id,
    )
    if not rows:
        raise NotFound("thread_not_found", N_("There is no such thread."))
    found = dict(rows[0])  # an asyncpg record is no dict
    thread = row_as(found, PageThreadRow)
    posts = decode_posts(thread.posts)
    if not db.is_postgres():
        # SQLite's group_concat keeps the order its input came in, which no standard promises.
        posts.sort(key=lambda pair: pair[0].position)
    return thread, row_as(found, CategoryRow), posts


@functools.lru_cache(maxsize=64)
def _page_statement(fields: tuple[tuple[str, str], ...], postgres: bool, page: str) -> str:
    """``thread_and_page``'s statement for posts of ``fields`` on the ``page`` (after,
    before, last or around); kept, as a page asks for one of a few texts."""
    around_column = ""
    if page == "before":
        condition, order, bound = "<", "DESC", "{}"
    elif page == "last":
        condition, order, bound = "<", "DESC", "t.post_count + 1"
    elif page == "around":
        place = "(SELECT position FROM board_post WHERE id = {} AND thread = t.id)"
        around_column = f", {place} AS around_position"
        least, greatest = ("LEAST", "GREATEST") if postgres else ("min", "max")
        condition, order = ">=", ""
        bound = f"{greatest}(1, {least}({place} - {{}}, t.post_count - {{}} + 1))"
    else:
        condition, order, bound = ">", "", "{}"
    posts = PostSql(fields, ())
    rows = (
        f"FROM board_post p {POST_JOINS} WHERE p.thread = t.id AND p.position {condition} "
        f"{bound} ORDER BY p.position {order} LIMIT {{}}"
    )
    if postgres:
        # Each post's row made JSON by the aggregate: a call per field of json_build_object
        # cost the backend more than the rows had.
        rows = f"SELECT {posts.as_columns()} {rows}"
        aggregate = f"(SELECT json_agg(page ORDER BY page.position) FROM ({rows}) page)"
    else:
        rows = f"SELECT {posts.as_object(postgres=False)} AS post, p.position {rows}"
        if order:
            rows = f"SELECT * FROM ({rows}) ORDER BY position"
        # Joined as text: the posts are JSON already, and json_group_array would read them again.
        aggregate = f"(SELECT '[' || group_concat(page.post, ',') || ']' FROM ({rows}) page)"
    return (
        f"SELECT {THREAD_COLUMNS}, {CATEGORY_COLUMNS}{around_column}, {aggregate} AS posts "
        "FROM board_thread t JOIN account_user ta ON ta.id = t.author "
        "JOIN board_category c ON c.id = t.category WHERE t.id = {}"
    )


async def post_context(post_id: int, *, for_update: bool = False) -> PostContext:
    lock = " FOR UPDATE OF p" if for_update and db.is_postgres() else ""
    rows = await query(
        "SELECT p.id, p.thread, p.author, p.language, p.source, p.html, p.revision, "
        f"p.deleted_at, p.hidden_at, t.title, {ACCESS_COLUMNS} FROM board_post p "
        "JOIN board_thread t ON t.id = p.thread JOIN board_category c ON c.id = t.category "
        f"WHERE p.id = {{}}{lock}",
        post_id,
    )
    if not rows:
        raise NotFound("post_not_found", N_("There is no such post."))
    row = row_as(rows[0], _PostContextRow)
    return PostContext(
        post_id=post_id,
        thread_id=row.thread,
        author_id=row.author,
        language=row.language,
        source=row.source,
        html=row.html,
        revision=row.revision,
        deleted=row.deleted_at is not None,
        hidden=row.hidden_at is not None,
        thread_title=row.title,
        category=row.access,
    )


class _PostContextRow(AccessRow, frozen=True, kw_only=True):
    thread: int
    author: int
    language: str
    source: str
    html: str
    revision: int
    deleted_at: Moment | None
    hidden_at: Moment | None
    title: str


async def post_row(post_id: int, post: PostSql) -> tuple[PostJson, str, AccessRow]:
    """One post as ``post`` reads it, its source and its category's access."""
    rows = await query(
        f"SELECT {post.as_object(postgres=db.is_postgres())} AS post, p.source, {ACCESS_COLUMNS} "
        f"FROM board_post p {POST_JOINS} "
        "JOIN board_thread t ON t.id = p.thread "
        "JOIN board_category c ON c.id = t.category WHERE p.id = {}",
        *post.args,
        post_id,
    )
    if not rows:
        raise NotFound("post_not_found", N_("There is no such post."))
    raw = rows[0]["post"]
    shown = msgspec.json.decode(raw, type=schemas.Post, strict=False)
    found = msgspec.json.decode(raw, type=_Found, strict=False).found
    return (shown, found), str(rows[0]["source"]), row_as(rows[0], AccessRow)


class ReplyThread(AccessRow, frozen=True, kw_only=True):
    """The thread a post is written in, and its category's access."""

    id: int
    title: str
    locked: bool


async def thread_for_reply(thread_id: int) -> ReplyThread:
    """The thread a post is written in, locked on PostgreSQL until the transaction ends."""
    lock = " FOR UPDATE OF t" if db.is_postgres() else ""
    rows = await query(
        f"SELECT t.id, t.title, t.locked, {ACCESS_COLUMNS} FROM board_thread t "
        f"JOIN board_category c ON c.id = t.category WHERE t.id = {{}}{lock}",
        thread_id,
    )
    if not rows:
        raise NotFound("thread_not_found", N_("There is no such thread."))
    return row_as(rows[0], ReplyThread)


class RevisionRow(msgspec.Struct, frozen=True, kw_only=True):
    """An earlier version of a post, and who replaced it."""

    revision: int
    source: str
    html: str
    edited_by: int | None
    display_name: str | None
    replaced_at: Moment


async def revision_rows(post_id: int) -> list[RevisionRow]:
    rows = await query(
        "SELECT r.revision, r.source, r.html, r.edited_by, u.display_name, r.replaced_at "
        "FROM board_post_revision r LEFT JOIN account_user u ON u.id = r.edited_by "
        "WHERE r.post = {} ORDER BY r.revision",
        post_id,
    )
    return rows_as(rows, RevisionRow)


class _ReactionRow(msgspec.Struct, frozen=True, kw_only=True):
    post: int
    kind: schemas.ReactionKind
    n: int
    mine: bool


async def reactions(
    post_ids: list[int], user_id: int | None
) -> dict[int, list[schemas.ReactionCount]]:
    rows = await query(
        "SELECT post, kind, count(*) AS n, "
        'max(CASE WHEN "user" = {} THEN 1 ELSE 0 END) AS mine '
        f"FROM board_reaction WHERE post IN ({placeholders(post_ids)}) "
        "GROUP BY post, kind ORDER BY post, kind",
        user_id or 0,
        *post_ids,
    )
    found: dict[int, list[schemas.ReactionCount]] = {}
    for row in rows_as(rows, _ReactionRow):
        found.setdefault(row.post, []).append(
            schemas.ReactionCount(kind=row.kind, count=row.n, mine=row.mine)
        )
    return found


class _TranslationRow(msgspec.Struct, frozen=True, kw_only=True):
    id: int
    post: int
    locale: str
    status: schemas.TranslationStatus
    kind: str | None
    translator: int | None
    translator_name: str | None
    html: str | None
    created_at: Moment
    completed_at: Moment | None
    post_revision: int
    revision: int


async def translation_rows(where: str, args: list[Any]) -> list[schemas.Translation]:
    rows = await query(
        "SELECT tr.id, tr.post, tr.locale, tr.status, tr.kind, tr.translator, "
        "u.display_name AS translator_name, tr.html, tr.created_at, tr.completed_at, "
        "tr.post_revision, p.revision FROM board_translation tr "
        "JOIN board_post p ON p.id = tr.post "
        f"LEFT JOIN account_user u ON u.id = tr.translator WHERE {where} ORDER BY tr.id",
        *args,
    )
    return [
        schemas.Translation(
            id=row.id,
            post_id=row.post,
            locale=row.locale,
            status=row.status,
            kind=schemas.TranslationKind(row.kind) if row.kind else None,
            translator=(
                person(row.translator, row.translator_name) if row.translator is not None else None
            ),
            html=row.html,
            created_at=as_utc(row.created_at),
            completed_at=as_utc_or_none(row.completed_at),
            outdated=row.status == "done" and row.post_revision < row.revision,
        )
        for row in rows_as(rows, _TranslationRow)
    ]


def encode_tags(tags: Sequence[str]) -> str:
    """A thread's tags as stored: sorted, each once, a JSON list."""
    return msgspec.json.encode(sorted(set(tags))).decode()


async def add_follower(thread_id: int, user_id: int) -> None:
    await Follow.insert(Follow(thread=thread_id, user=user_id, created_at=now())).on_conflict(
        target=(Follow.thread, Follow.user), action="DO NOTHING"
    )


async def insert_post(
    thread_id: int,
    position: int,
    author_id: int,
    language: str,
    source: str,
    html: str,
    reply_to: int | None,
    created: datetime,
    *,
    title: str | None = None,
) -> int:
    rows = await Post.insert(
        Post(
            thread=thread_id,
            position=position,
            author=author_id,
            language=language,
            title=title,
            source=source,
            html=html,
            reply_to=reply_to,
            created_at=created,
            revision=0,
            open_flags=0,
        )
    ).returning(Post.id)
    return int(rows[0]["id"])


class PendingTranslation(msgspec.Struct, frozen=True, kw_only=True):
    """A request for a post's translation, not done yet: one task of the translators' queue."""

    requested_at: Moment
    post_id: int
    locale: str
    thread_id: int
    thread_title: str
    #: The post's language and source text (Markdown).
    language: str
    source: str


async def pending_translations(
    principal: Principal,
    locales: Sequence[str],
    after: tuple[datetime, int, str] | None,
    limit: int,
) -> tuple[list[PendingTranslation], tuple[datetime, int, str] | None]:
    """Requests into ``locales`` after ``after`` (requested at, post, locale), oldest first.

    The translators' queue (``translations.services``) merges them with the content's tasks.
    Translators see the requests into their languages wherever the post is; anyone else (a
    platform admin) those of the categories they may read. Returns up to ``limit`` requests, and
    the position of the last one when there are more.
    """
    if not locales:
        return [], None
    readable, readable_args = await readable_categories(principal)
    own = sorted(set(locales) & principal.translator_locales)
    if own:
        readable = f"(tr.locale IN ({placeholders(own)}) OR {readable})"
        readable_args = [*own, *readable_args]
    position = ""
    position_args: list[Any] = []
    if after is not None:
        at, post_id, locale = after
        position = (
            "AND (tr.created_at > {} OR (tr.created_at = {} AND (p.id > {} "
            "OR (p.id = {} AND tr.locale > {})))) "
        )
        position_args = [at, at, post_id, post_id, locale]
    rows = await query(
        "SELECT tr.locale, tr.created_at AS requested_at, p.id AS post_id, "
        "p.thread AS thread_id, p.language, p.source, t.title AS thread_title "
        "FROM board_translation tr "
        "JOIN board_post p ON p.id = tr.post JOIN board_thread t ON t.id = p.thread "
        "JOIN board_category c ON c.id = t.category "
        f"WHERE tr.status = 'requested' AND tr.locale IN ({placeholders(locales)}) {position}"
        f"AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND {readable} "
        "ORDER BY tr.created_at, p.id, tr.locale LIMIT {}",
        *locales,
        *position_args,
        *readable_args,
        limit + 1,
    )
    found = rows_as(rows[:limit], PendingTranslation)
    last = found[-1] if len(rows) > limit else None
    return found, (
        (as_utc(last.requested_at), last.post_id, last.locale) if last is not None else None
    )


class RecentPosts(msgspec.Struct, frozen=True, kw_only=True):
    """When an account was made, and how many posts it wrote lately (the oldest one's time)."""

    created_at: Moment
    recent: int
    oldest: Moment | None


async def recent_posts(user_id: int | None, since: datetime) -> RecentPosts | None:
    """When the account was made, and how many posts it wrote ``since`` (the oldest one's time)."""
    rows = await query(
        "SELECT u.created_at, count(p.id) AS recent, min(p.created_at) AS oldest "
        "FROM account_user u LEFT JOIN board_post p ON p.author = u.id AND p.created_at > {} "
        "WHERE u.id = {} GROUP BY u.id, u.created_at",
        since,
        user_id,
    )
    return row_as(rows[0], RecentPosts) if rows else None
