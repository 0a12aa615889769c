"""The board's SQL and its rows as the API shows them: categories, threads, pages of posts with
their reactions and translations, and the translators' queue.

Reads are written for a board with millions of posts: every page is one index range read
(threads by ``(category, pinned, last_post_id)``, posts by ``(thread, position)``), and what a
page shows beside the posts (reactions, translations) comes from one batch query each, so a
request costs the same few queries whatever its page size or depth.
"""

from __future__ import annotations

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
from mupass_forum.board.sql import ACCESS_COLUMNS, AccessRow, person, placeholders, query
from mupass_forum.board.tables import Follow, Post
from mupass_forum.clock import as_utc, as_utc_or_none, now
from mupass_forum.errors import (
    NotFound,
)
from mupass_forum.i18n import N_, language_name
from mupass_forum.i18n.locale import content_preference
from mupass_forum.i18n.text import TranslatableText
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


def page_columns(user_id: int | None, locale: str, translate: bool) -> tuple[str, list[Any]]:
    """Columns that complete each post of a page in the same query: its reactions (with the
    caller's own) and its newest translation into ``locale``, as JSON, and whether one is asked
    for. Each is an index lookup per post, so a page stays one query whatever its size."""
    postgres = db.is_postgres()
    aggregate, array = (
        ("json_agg", "json_build_array") if postgres else ("json_group_array", "json_array")
    )
    order = " ORDER BY x.kind" if postgres else ""
    columns = (
        f"(SELECT {aggregate}({array}(x.kind, x.n, x.mine){order}) FROM ("
        'SELECT kind, count(*) AS n, max(CASE WHEN "user" = {} THEN 1 ELSE 0 END) AS mine '
        "FROM board_reaction WHERE post = p.id GROUP BY kind ORDER BY kind) x) AS reactions_json"
    )
    args: list[Any] = [user_id or 0]
    if not translate:
        return f"{columns}, NULL AS translation_json, 0 AS translation_requested", args
    # The reader's language, then the configured fallbacks (English by default), then the
    # original: a translation counts only when its language comes before the post's own.
    preferred = content_preference(locale)
    marks = ", ".join("{}" for _ in preferred)
    columns += (
        f", CASE WHEN p.language = {{}} THEN NULL ELSE (SELECT {array}(tr.id, tr.kind, "
        "tr.translator, tu.display_name, tr.html, tr.post_revision, tr.locale) "
        "FROM board_translation tr LEFT JOIN account_user tu ON tu.id = tr.translator "
        f"WHERE tr.post = p.id AND tr.locale IN ({marks}) AND tr.status = 'done' "
        f"AND {_rank('tr.locale', preferred)} < {_rank('p.language', preferred)} "
        f"ORDER BY {_rank('tr.locale', preferred)}, tr.id DESC LIMIT 1) END "
        "AS translation_json, CASE WHEN p.language = {} THEN 0 ELSE (SELECT count(*) "
        "FROM board_translation tr WHERE tr.post = p.id AND tr.locale = {} "
        "AND tr.status = 'requested') END AS translation_requested"
    )
    return columns, [*args, locale, *preferred * 4, locale, locale]


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


async def thread_and_page(
    thread_id: int,
    extras: str,
    extra_args: list[Any],
    *,
    after: int | None,
    before: int | None,
    last: bool,
    limit: int,
) -> tuple[ThreadRow, CategoryRow, list[Mapping[str, Any]]]:
    """A thread's row and a page of its posts: in one statement on PostgreSQL (one round
    trip), where the page's rows carry the thread's columns and a thread without posts on the
    page is one row with no post. Whether the caller may read it is checked after.

    The posts stay mappings, read by ``Posts._post``: made structs, the page cost PostgreSQL
    a copy of every record (an asyncpg record is no dict), 0.04 ms of 0.57 per page."""
    bound_args: list[Any]
    if before is not None:
        condition, order, bound, bound_args = "<", "DESC", "{}", [before]
    elif last:
        condition, order, bound_args = "<", "DESC", [thread_id]
        bound = "(SELECT t2.post_count + 1 FROM board_thread t2 WHERE t2.id = {})"
    else:
        condition, order, bound, bound_args = ">", "", "{}", [after or 0]
    page = (
        f"SELECT {POST_COLUMNS}, {extras} FROM board_post p {POST_JOINS} "
        f"WHERE p.thread = {{}} AND p.position {condition} {bound} "
        f"ORDER BY p.position {order} LIMIT {{}}"
    )
    page_args = [*extra_args, thread_id, *bound_args, limit]
    if not db.is_postgres():
        # Read inline, two statements cost SQLite half of one: joined, every post's row
        # carried the thread's columns and the page was sorted again (0.17 against 0.08 ms).
        thread, category = await thread_row(thread_id)
        rows = await db.read_indexed(page, *page_args)
        return thread, category, rows[::-1] if order else rows
    rows = await db.read_indexed(
        f"SELECT {THREAD_COLUMNS}, {CATEGORY_COLUMNS}, page.* FROM board_thread t "
        "JOIN account_user ta ON ta.id = t.author "
        "JOIN board_category c ON c.id = t.category "
        f"LEFT JOIN ({page}) page ON true "
        "WHERE t.id = {} ORDER BY page.position",
        *page_args,
        thread_id,
    )
    if not rows:
        raise NotFound("thread_not_found", N_("There is no such thread."))
    return (
        *_thread_and_category(rows[0]),
        [row for row in rows if row["id"] is not None],
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


async def post_row(
    post_id: int, extras: str, extra_args: Sequence[Any]
) -> tuple[Mapping[str, Any], AccessRow]:
    """One post with ``page_columns`` (``extras``), its source and its category's access."""
    rows = await query(
        f"SELECT {POST_COLUMNS}, {extras}, p.source, {ACCESS_COLUMNS} "
        f"FROM board_post p {POST_JOINS} "
        "JOIN board_thread t ON t.id = p.thread "
        "JOIN board_category c ON c.id = t.category WHERE p.id = {}",
        *extra_args,
        post_id,
    )
    if not rows:
        raise NotFound("post_not_found", N_("There is no such post."))
    return rows[0], row_as(rows[0], AccessRow)


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
