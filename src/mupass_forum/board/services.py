"""Categories, threads, posts, reactions, follows and translations: queries and rules.

Reads are written for a board with millions of posts: every page is one index range read
(threads by ``(category, pinned, last_post_id)``, posts by ``(thread, position)``), and what a
page shows beside the posts (reactions, translations) comes from one batch query each, so a
request costs the same few queries whatever its page size or depth.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import msgspec
from babel import Locale
from msgspec import UNSET

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, translates_into
from mupass_forum.accounts.principal import Principal
from mupass_forum.api_requests import in_range
from mupass_forum.board import events, moderation, notifications, schemas
from mupass_forum.board.authorization import (
    CategoryAccess,
    PostContext,
    PostOwnership,
    edits_post,
    manages_categories,
    moderates_category,
    posts_in_category,
    readable_categories,
    reads_category,
    translates_post,
)
from mupass_forum.board.personal_data import remove_post_texts
from mupass_forum.board.rendering import render
from mupass_forum.board.sql import (
    ACCESS_COLUMNS,
    access_of,
    person,
    placeholders,
    query,
)
from mupass_forum.board.tables import Category
from mupass_forum.clock import as_utc, as_utc_or_none, now
from mupass_forum.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Forbidden,
    Gone,
    InvalidInput,
    NotFound,
    TooManyRequests,
)
from mupass_forum.i18n import N_, current_locale, language_name
from mupass_forum.i18n.locale import content_preference
from mupass_forum.i18n.text import TranslatableText, localize_stored, text_problems
from mupass_forum.settings import Settings
from mupass_forum.validation import locale_problem, raise_problems

API = "/api/v1/board"


@functools.lru_cache(maxsize=128)
def language_label(reader: str, code: str) -> str:
    """``code`` named in the ``reader``'s language (CLDR); cached, as every post shows one."""
    return language_name(code, Locale.parse(reader))


def decode_list(raw: Any) -> list[str]:
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
NAME_LENGTH, DESCRIPTION_LENGTH = 120, 2000


async def category_of(row: Mapping[str, Any], principal: Principal) -> schemas.Category:
    access = access_of(row, "c_")
    name = localize_stored(row["c_name"])
    assert name is not None
    return schemas.Category(
        id=access.id,
        slug=str(row["c_slug"]),
        name=name,
        description=localize_stored(row["c_description"]),
        position=int(row["c_position"]),
        read_access=schemas.Access(access.read_access),
        post_access=schemas.Access(access.post_access),
        forum_id=access.forum_id,
        series=row["c_series"],
        series_id=row["c_series_id"],
        can_post=await posts_in_category(principal, access),
    )


def encode_text(text: TranslatableText | None) -> str | None:
    return None if text is None else msgspec.json.encode(text.to_json()).decode()


THREAD_COLUMNS = (
    "t.id AS t_id, t.category AS t_category, t.title AS t_title, t.language AS t_language, "
    "t.tags AS t_tags, t.author AS t_author, ta.display_name AS t_author_name, "
    "t.pinned AS t_pinned, t.locked AS t_locked, t.created_at AS t_created_at, "
    "t.last_activity_at AS t_last_activity_at, t.last_post_id AS t_last_post_id, "
    "t.post_count AS t_post_count"
)


def thread_summary(row: Mapping[str, Any]) -> schemas.ThreadSummary:
    return schemas.ThreadSummary(
        id=int(row["t_id"]),
        category_id=int(row["t_category"]),
        title=str(row["t_title"]),
        language=str(row["t_language"]),
        tags=decode_list(row["t_tags"]),
        author=person(row["t_author"], row["t_author_name"]),
        pinned=bool(row["t_pinned"]),
        locked=bool(row["t_locked"]),
        created_at=as_utc(row["t_created_at"]),
        last_activity_at=as_utc(row["t_last_activity_at"]),
        reply_count=max(0, int(row["t_post_count"]) - 1),
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


async def open_requests(post_id: int, locale: str) -> list[dict[str, Any]]:
    """The request for a translation of the post into ``locale`` not done yet (one at most)."""
    return await query(
        "SELECT id FROM board_translation WHERE post = {} AND locale = {} AND status = 'requested'",
        post_id,
        locale,
    )


class BoardService:
    """The board's rules for one app's settings (limits, links in mail)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # Categories --------------------------------------------------------------------------

    async def list_categories(self, principal: Principal) -> list[schemas.Category]:
        readable, args = await readable_categories(principal)
        rows = await query(
            f"SELECT {CATEGORY_COLUMNS}, {SERIES_COLUMN} FROM board_category c WHERE {readable} "
            "ORDER BY c.position, c.id",
            *args,
        )
        return [await category_of(row, principal) for row in rows]

    async def readable_category_ids(self, principal: Principal) -> list[int]:
        """The categories the caller may read (for search and the live stream)."""
        readable, args = await readable_categories(principal)
        rows = await query(f"SELECT c.id FROM board_category c WHERE {readable}", *args)
        return [int(row["id"]) for row in rows]

    async def _category_row(self, category_id: int) -> dict[str, Any]:
        rows = await query(
            f"SELECT {CATEGORY_COLUMNS}, {SERIES_COLUMN} FROM board_category c WHERE c.id = {{}}",
            category_id,
        )
        if not rows:
            raise NotFound("category_not_found", N_("There is no such category."))
        return rows[0]

    async def get_category(self, principal: Principal, category_id: int) -> schemas.Category:
        row = await self._category_row(category_id)
        await authorize(principal, reads_category, access_of(row, "c_"), hide=True)
        return await category_of(row, principal)

    async def create_category(
        self, principal: Principal, data: schemas.CategoryCreate
    ) -> schemas.Category:
        await authorize(principal, manages_categories)
        original = data.original_locale
        name, problems = text_problems(
            data.name, "/name", original=original, max_length=NAME_LENGTH
        )
        description, more = text_problems(
            data.description,
            "/description",
            original=name.original if name else original,
            required=False,
            max_length=DESCRIPTION_LENGTH,
        )
        raise_problems(*problems, *more)
        await self._check_forum(data.forum_id)
        series_id = await self._series_id(data.series, data.series_id)
        try:
            rows = await Category.insert(
                Category(
                    slug=data.slug,
                    name=encode_text(name),
                    description=encode_text(description),
                    position=data.position,
                    read_access=data.read_access.value,
                    post_access=data.post_access.value,
                    forum=data.forum_id,
                    series=series_id,
                    created_at=now(),
                )
            ).returning(Category.id)
        except db.INTEGRITY_ERRORS as exc:
            if not db.is_unique_violation(exc, "board_category", "slug"):
                raise
            raise Conflict(
                "category_slug_taken", N_("The address {slug} is taken."), slug=data.slug
            ) from exc
        return await self.get_category(principal, int(rows[0]["id"]))

    async def _check_forum(self, forum_id: int | None) -> None:
        if forum_id is not None and not await query("SELECT id FROM forum WHERE id = {}", forum_id):
            raise InvalidInput(
                FieldError(N_("There is no such forum."), "unknown_forum", pointer="/forum_id")
            )

    async def _series_id(self, slug: str | None, series_id: int | None) -> int | None:
        """The series a category is tied to, named by its slug or by its id (not both)."""
        if slug is not None and series_id is not None:
            raise InvalidInput(
                FieldError(
                    N_("Name the series by its slug or by its id, not both."),
                    "series_named_twice",
                    pointer="/series",
                )
            )
        if slug is None and series_id is None:
            return None
        rows = await query(
            "SELECT id FROM forum_series WHERE slug = {}"
            if slug is not None
            else "SELECT id FROM forum_series WHERE id = {}",
            slug if slug is not None else series_id,
        )
        if not rows:
            raise InvalidInput(
                FieldError(
                    N_("There is no such series."),
                    "unknown_series",
                    pointer="/series" if slug is not None else "/series_id",
                )
            )
        return int(rows[0]["id"])

    async def update_category(
        self, principal: Principal, category_id: int, data: schemas.CategoryUpdate
    ) -> schemas.Category:
        await authorize(principal, manages_categories)
        row = await self._category_row(category_id)
        current = localize_stored(row["c_name"])
        assert current is not None
        original = (
            current.original_locale if data.original_locale is UNSET else data.original_locale
        )
        changes: dict[Any, Any] = {}
        problems: list[FieldError] = []
        if data.name is not UNSET:
            name, found = text_problems(
                data.name, "/name", original=original, max_length=NAME_LENGTH
            )
            problems += found
            changes[Category.name] = encode_text(name)
        if data.description is not UNSET:
            description, found = text_problems(
                data.description,
                "/description",
                original=original,
                required=False,
                max_length=DESCRIPTION_LENGTH,
            )
            problems += found
            changes[Category.description] = encode_text(description)
        if data.position is not UNSET:
            changes[Category.position] = data.position
        if data.read_access is not UNSET:
            changes[Category.read_access] = data.read_access.value
        if data.post_access is not UNSET:
            changes[Category.post_access] = data.post_access.value
        if data.forum_id is not UNSET:
            changes[Category.forum] = data.forum_id
        raise_problems(*problems)
        await self._check_forum(None if data.forum_id is UNSET else data.forum_id)
        if data.series is not UNSET or data.series_id is not UNSET:
            changes[Category.series] = await self._series_id(
                None if data.series is UNSET else data.series,
                None if data.series_id is UNSET else data.series_id,
            )
        if changes:
            await Category.update(changes).where(Category.id == category_id)
        return await self.get_category(principal, category_id)

    # Threads -----------------------------------------------------------------------------

    async def list_threads(
        self, principal: Principal, category_id: int, cursor: str | None, limit: int
    ) -> schemas.ThreadPage:
        row = await self._category_row(category_id)
        await authorize(principal, reads_category, access_of(row, "c_"), hide=True)
        condition, args = "", [category_id]
        if cursor is not None:
            pinned, last_post_id = parse_thread_cursor(cursor)
            condition = "AND (t.pinned < {} OR (t.pinned = {} AND t.last_post_id < {}))"
            args += [pinned, pinned, last_post_id]
        rows = await query(
            f"SELECT {THREAD_COLUMNS} FROM board_thread t "
            "JOIN account_user ta ON ta.id = t.author "
            f"WHERE t.category = {{}} {condition} "
            "ORDER BY t.pinned DESC, t.last_post_id DESC LIMIT {}",
            *args,
            limit + 1,
        )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = f"{int(bool(last['t_pinned']))}.{int(last['t_last_post_id'])}"
        return schemas.ThreadPage(items=[thread_summary(r) for r in rows], next_cursor=next_cursor)

    async def _thread_row(
        self, thread_id: int, *, extra: str = "", args: Sequence[Any] = ()
    ) -> Mapping[str, Any]:
        rows = await db.read_indexed(
            f"SELECT {THREAD_COLUMNS}, {CATEGORY_COLUMNS}{extra} FROM board_thread t "
            "JOIN account_user ta ON ta.id = t.author "
            "JOIN board_category c ON c.id = t.category WHERE t.id = {}",
            *args,
            thread_id,
        )
        if not rows:
            raise NotFound("thread_not_found", N_("There is no such thread."))
        return rows[0]

    async def _thread_and_page(
        self,
        thread_id: int,
        extras: str,
        extra_args: list[Any],
        *,
        after: int | None,
        before: int | None,
        last: bool,
        limit: int,
    ) -> tuple[Mapping[str, Any], list[Mapping[str, Any]]]:
        """A thread's row and a page of its posts in one statement (one round trip on
        PostgreSQL): the page's rows carry the thread's columns; a thread without posts on
        the page is one row with no post. Whether the caller may read it is checked after."""
        bound_args: list[Any]
        if before is not None:
            condition, order, bound, bound_args = "<", "DESC", "{}", [before]
        elif last:
            condition, order, bound_args = "<", "DESC", [thread_id]
            bound = "(SELECT t2.post_count + 1 FROM board_thread t2 WHERE t2.id = {})"
        else:
            condition, order, bound, bound_args = ">", "", "{}", [after or 0]
        rows = await db.read_indexed(
            f"SELECT {THREAD_COLUMNS}, {CATEGORY_COLUMNS}, page.* FROM board_thread t "
            "JOIN account_user ta ON ta.id = t.author "
            "JOIN board_category c ON c.id = t.category "
            f"LEFT JOIN (SELECT {POST_COLUMNS}, {extras} FROM board_post p {POST_JOINS} "
            f"WHERE p.thread = {{}} AND p.position {condition} {bound} "
            f"ORDER BY p.position {order} LIMIT {{}}) page ON true "
            "WHERE t.id = {} ORDER BY page.position",
            *extra_args,
            thread_id,
            *bound_args,
            limit,
            thread_id,
        )
        if not rows:
            raise NotFound("thread_not_found", N_("There is no such thread."))
        return rows[0], [row for row in rows if row["id"] is not None]

    async def get_thread(self, principal: Principal, thread_id: int) -> schemas.Thread:
        following_sql = (
            ", (SELECT count(*) FROM board_follow f WHERE f.thread = t.id AND f.user = {}) "
            "AS following"
        )
        row = await self._thread_row(
            thread_id,
            extra=f", {SERIES_COLUMN}" + following_sql.replace("f.user", 'f."user"'),
            args=[principal.user_id or 0],
        )
        category = access_of(row, "c_")
        await authorize(principal, reads_category, category, hide=True)
        summary = thread_summary(row)
        return schemas.Thread(
            id=summary.id,
            category=await category_of(row, principal),
            title=summary.title,
            language=summary.language,
            tags=summary.tags,
            author=summary.author,
            pinned=summary.pinned,
            locked=summary.locked,
            created_at=summary.created_at,
            last_activity_at=summary.last_activity_at,
            reply_count=summary.reply_count,
            can_post=await self._may_reply(principal, category, summary.locked),
            following=bool(row["following"]),
        )

    @staticmethod
    async def _may_reply(principal: Principal, category: CategoryAccess, locked: bool) -> bool:
        if not await posts_in_category(principal, category):
            return False
        return not locked or await moderates_category(principal, category)

    async def create_thread(
        self, principal: Principal, data: schemas.ThreadCreate
    ) -> schemas.Thread:
        return await self.get_thread(principal, await self.open_thread(principal, data))

    async def open_thread(self, principal: Principal, data: schemas.ThreadCreate) -> int:
        """Write a new thread and its first post; returns the thread's id."""
        raise_problems(locale_problem(data.language, "/language"))
        if not data.title.strip():
            raise InvalidInput(
                FieldError(N_("This field is required."), "required", pointer="/title")
            )
        rendered = render(data.body)
        async with db.transaction():
            row = await self._category_row(data.category_id)
            category = access_of(row, "c_")
            await authorize(principal, reads_category, category, hide=True)
            await authorize(principal, posts_in_category, category)
            await self._check_rate(principal, category)
            created = now()
            principal = as_signed_in(principal)
            thread_rows = await query(
                "INSERT INTO board_thread (category, author, title, language, tags, pinned, "
                "locked, created_at, last_activity_at, last_post_id, post_count) "
                "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, 0, 1) RETURNING id",
                data.category_id,
                principal.user_id,
                data.title.strip(),
                data.language,
                msgspec.json.encode(sorted(set(data.tags))).decode(),
                False,
                False,
                created,
                created,
            )
            thread_id = int(thread_rows[0]["id"])
            post_id = await self._insert_post(
                thread_id, 1, principal.user_id, data.language, data.body, rendered.html,
                None, created, title=data.title.strip(),
            )  # fmt: skip
            await query(
                "UPDATE board_thread SET last_post_id = {} WHERE id = {}", post_id, thread_id
            )
            await self._follow(thread_id, principal.user_id)
            await events.record(
                "thread_created",
                category_id=data.category_id,
                thread_id=thread_id,
                post_id=post_id,
                data={"title": data.title.strip(), "language": data.language},
            )
            await self._record_post_event("post_created", category, thread_id, post_id)
            await notifications.post_written(
                self.settings,
                post_id=post_id,
                thread_id=thread_id,
                thread_title=data.title.strip(),
                author=principal,
                category=category,
                excerpt=data.body,
                mentions=rendered.mentions,
                is_reply=False,
            )
        return thread_id

    async def update_thread(
        self, principal: Principal, thread_id: int, data: schemas.ThreadUpdate
    ) -> schemas.Thread:
        async with db.transaction():
            row = await self._thread_row(thread_id)
            category = access_of(row, "c_")
            await authorize(principal, reads_category, category, hide=True)
            is_moderator = await moderates_category(principal, category)
            if data.title is not UNSET or data.tags is not UNSET:
                owner = PostOwnership(author_id=int(row["t_author"]), category=category)
                await authorize(principal, edits_post, owner)
            moderated = (data.pinned, data.locked, data.category_id)
            if any(value is not UNSET for value in moderated) and not is_moderator:
                raise Forbidden(
                    "moderators_only", N_("Only moderators can pin, lock or move threads.")
                )
            if data.title is not UNSET:
                title = data.title.strip()
                if not title:
                    raise InvalidInput(
                        FieldError(N_("This field is required."), "required", pointer="/title")
                    )
                await query("UPDATE board_thread SET title = {} WHERE id = {}", title, thread_id)
                await query(
                    "UPDATE board_post SET title = {} WHERE thread = {} AND position = 1",
                    title,
                    thread_id,
                )
            if data.tags is not UNSET:
                await query(
                    "UPDATE board_thread SET tags = {} WHERE id = {}",
                    msgspec.json.encode(sorted(set(data.tags))).decode(),
                    thread_id,
                )
            await moderation.moderate_thread(principal, row, data)
            await events.record(
                "thread_changed",
                category_id=int(row["t_category"])
                if data.category_id is UNSET
                else int(data.category_id),
                thread_id=thread_id,
                data={"previous_category_id": int(row["t_category"])},
            )
        return await self.get_thread(principal, thread_id)

    async def set_following(self, principal: Principal, thread_id: int, follow: bool) -> None:
        row = await self._thread_row(thread_id)
        await authorize(principal, reads_category, access_of(row, "c_"), hide=True)
        principal = as_signed_in(principal)
        if follow:
            await self._follow(thread_id, principal.user_id)
        else:
            await query(
                'DELETE FROM board_follow WHERE thread = {} AND "user" = {}',
                thread_id,
                principal.user_id,
            )

    async def _follow(self, thread_id: int, user_id: int) -> None:
        await query(
            'INSERT INTO board_follow (thread, "user", created_at) VALUES ({}, {}, {}) '
            'ON CONFLICT (thread, "user") DO NOTHING',
            thread_id,
            user_id,
            now(),
        )

    # Posts -------------------------------------------------------------------------------

    async def list_posts(
        self,
        principal: Principal,
        thread_id: int,
        *,
        after: int | None = None,
        before: int | None = None,
        last: bool = False,
        around: int | None = None,
        limit: int = 25,
        translate: bool = True,
    ) -> schemas.PostPage:
        if sum(1 for choice in (after, before, around) if choice is not None) + int(last) > 1:
            raise BadRequest(
                "one_page_selector",
                N_("Choose at most one of after, before, around and last."),
            )
        extras, extra_args = page_columns(principal.user_id, current_locale(), translate)
        if around is None:
            row, rows = await self._thread_and_page(
                thread_id, extras, extra_args, after=after, before=before, last=last, limit=limit
            )
            category = access_of(row, "c_")
            await authorize(principal, reads_category, category, hide=True)
            post_count = int(row["t_post_count"])
        else:
            async with db.one_connection():  # the thread and its page: one trip to the pool
                row = await self._thread_row(
                    thread_id,
                    extra=", (SELECT position FROM board_post WHERE id = {} AND thread = t.id) "
                    "AS around_position",
                    args=[around],
                )
                category = access_of(row, "c_")
                await authorize(principal, reads_category, category, hide=True)
                post_count = int(row["t_post_count"])
                if row["around_position"] is None:
                    raise NotFound("post_not_found", N_("There is no such post."))
                start = int(row["around_position"]) - limit // 2
                rows = await db.read_indexed(
                    f"SELECT {POST_COLUMNS}, {extras} FROM board_post p {POST_JOINS} "
                    "WHERE p.thread = {} AND p.position >= {} ORDER BY p.position LIMIT {}",
                    *extra_args,
                    thread_id,
                    max(1, min(start, post_count - limit + 1)),
                    limit,
                )
        items = await self._present(principal, category, rows)
        first = items[0].position if items else None
        final = items[-1].position if items else None
        return schemas.PostPage(
            thread=thread_summary(row),
            items=items,
            prev_cursor=first if first is not None and first > 1 else None,
            next_cursor=final if final is not None and final < post_count else None,
            post_count=post_count,
        )

    async def get_post(
        self, principal: Principal, post_id: int, *, translate: bool = True
    ) -> schemas.Post:
        extras, extra_args = page_columns(principal.user_id, current_locale(), translate)
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
        category = access_of(rows[0], "c_")
        await authorize(principal, reads_category, category, hide=True)
        (item,) = await self._present(principal, category, rows, with_source=True)
        return item

    async def _present(
        self,
        principal: Principal,
        category: CategoryAccess,
        rows: Sequence[Mapping[str, Any]],
        *,
        with_source: bool = False,
    ) -> list[schemas.Post]:
        """Posts as the caller sees them, from rows with ``page_columns``."""
        if not rows:
            return []
        locale = current_locale()
        moderator = await moderates_category(principal, category)
        return [self._post(row, principal, moderator, locale, with_source) for row in rows]

    def _post(
        self,
        row: Mapping[str, Any],
        principal: Principal,
        moderator: bool,
        locale: str,
        with_source: bool,
    ) -> schemas.Post:
        post_id = int(row["id"])
        author_id = int(row["author"])
        deleted = row["deleted_at"] is not None
        hidden = row["hidden_at"] is not None
        own = principal.user_id == author_id
        visible = moderator or not (deleted or (hidden and not own))
        language = str(row["language"])
        html = str(row["html"]) if visible else ""
        shown_language = language
        label: schemas.TranslationLabel | None = None
        done = row["translation_json"]
        if done is not None and visible:
            (translation_id, kind, translator_id, translator_name, translated, made_from, into) = (
                msgspec.json.decode(done)
            )
            html = str(translated)
            shown_language = str(into)
            label = schemas.TranslationLabel(
                id=int(translation_id),
                kind=schemas.TranslationKind(str(kind)),
                translator=(
                    person(translator_id, translator_name) if translator_id is not None else None
                ),
                outdated=int(made_from) < int(row["revision"]),
            )
        reply_to = None
        if row["reply_to"] is not None and row["reply_position"] is not None:
            reply_to = schemas.ReplyTo(
                id=int(row["reply_to"]),
                position=int(row["reply_position"]),
                author=person(row["reply_author"], row["reply_author_name"]),
            )
        source = None
        if with_source and (own or moderator) and "source" in row:
            source = str(row["source"])
        return schemas.Post(
            id=post_id,
            thread_id=int(row["thread"]),
            position=int(row["position"]),
            author=person(author_id, row["author_name"]),
            language=language,
            language_name=language_label(locale, language),
            shown_language=shown_language,
            is_translation=label is not None,
            translation=label,
            original_url=f"{API}/posts/{post_id}?translate=false" if label is not None else None,
            html=html,
            translation_requested=bool(row["translation_requested"]) and label is None,
            reply_to=reply_to,
            created_at=as_utc(row["created_at"]),
            edited_at=as_utc_or_none(row["edited_at"]),
            revision=int(row["revision"]),
            deleted=deleted,
            hidden=hidden,
            reactions=[
                schemas.ReactionCount(
                    kind=schemas.ReactionKind(kind), count=int(n), mine=bool(mine)
                )
                for kind, n, mine in msgspec.json.decode(row["reactions_json"] or "[]")
            ],
            source=source,
        )

    async def _reactions(
        self, post_ids: list[int], user_id: int | None
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
        for row in rows:
            found.setdefault(int(row["post"]), []).append(
                schemas.ReactionCount(
                    kind=schemas.ReactionKind(str(row["kind"])),
                    count=int(row["n"]),
                    mine=bool(row["mine"]),
                )
            )
        return found

    async def create_post(
        self, principal: Principal, thread_id: int, data: schemas.PostCreate
    ) -> schemas.Post:
        return await self.get_post(principal, await self.write_post(principal, thread_id, data))

    async def write_post(
        self, principal: Principal, thread_id: int, data: schemas.PostCreate
    ) -> int:
        """Write a post in a thread; returns its id."""
        raise_problems(locale_problem(data.language, "/language"))
        rendered = render(data.body)
        lock = " FOR UPDATE OF t" if db.is_postgres() else ""
        async with db.transaction():
            rows = await query(
                f"SELECT t.id, t.title, t.locked, {ACCESS_COLUMNS} FROM board_thread t "
                f"JOIN board_category c ON c.id = t.category WHERE t.id = {{}}{lock}",
                thread_id,
            )
            if not rows:
                raise NotFound("thread_not_found", N_("There is no such thread."))
            row = rows[0]
            category = access_of(row, "c_")
            await authorize(principal, reads_category, category, hide=True)
            await authorize(principal, posts_in_category, category)
            if bool(row["locked"]) and not await moderates_category(principal, category):
                raise Conflict("thread_locked", N_("This thread is locked: no more replies."))
            if data.reply_to is not None:
                answered = await query(
                    "SELECT id FROM board_post WHERE id = {} AND thread = {}",
                    data.reply_to,
                    thread_id,
                )
                if not answered:
                    raise InvalidInput(
                        FieldError(
                            N_("This post is not in the thread."),
                            "not_in_thread",
                            pointer="/reply_to",
                        )
                    )
            await self._check_rate(principal, category)
            created = now()
            counted = await query(
                "UPDATE board_thread SET post_count = post_count + 1, last_activity_at = {} "
                "WHERE id = {} RETURNING post_count",
                created,
                thread_id,
            )
            principal = as_signed_in(principal)
            post_id = await self._insert_post(
                thread_id, int(counted[0]["post_count"]), principal.user_id, data.language,
                data.body, rendered.html, data.reply_to, created,
            )  # fmt: skip
            await query(
                "UPDATE board_thread SET last_post_id = {} WHERE id = {}", post_id, thread_id
            )
            await self._record_post_event("post_created", category, thread_id, post_id)
            await notifications.post_written(
                self.settings,
                post_id=post_id,
                thread_id=thread_id,
                thread_title=str(row["title"]),
                author=principal,
                category=category,
                excerpt=data.body,
                mentions=rendered.mentions,
                is_reply=True,
            )
            await self._follow(thread_id, principal.user_id)
        return post_id

    async def _insert_post(
        self,
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
        rows = await query(
            "INSERT INTO board_post (thread, position, author, language, title, source, html, "
            "reply_to, created_at, revision, open_flags) "
            "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, 0, 0) RETURNING id",
            thread_id,
            position,
            author_id,
            language,
            title,
            source,
            html,
            reply_to,
            created,
        )
        return int(rows[0]["id"])

    async def _record_post_event(
        self, kind: str, category: CategoryAccess, thread_id: int, post_id: int
    ) -> None:
        rows = await query(
            f"SELECT {POST_COLUMNS} FROM board_post p {POST_JOINS} WHERE p.id = {{}}", post_id
        )
        row = rows[0]
        await events.record(
            kind,
            category_id=category.id,
            thread_id=thread_id,
            post_id=post_id,
            data={
                "position": int(row["position"]),
                "author": {"id": int(row["author"]), "display_name": str(row["author_name"])},
                "language": str(row["language"]),
                "html": str(row["html"]),
                "reply_to": row["reply_to"],
                "revision": int(row["revision"]),
            },
        )

    async def _check_rate(self, principal: Principal, category: CategoryAccess) -> None:
        """Posts per hour, fewer for new accounts; moderators are not limited."""
        if await moderates_category(principal, category):
            return
        window_start = now() - timedelta(hours=1)
        rows = await query(
            "SELECT u.created_at, count(p.id) AS recent, min(p.created_at) AS oldest "
            "FROM account_user u LEFT JOIN board_post p ON p.author = u.id AND p.created_at > {} "
            "WHERE u.id = {} GROUP BY u.id, u.created_at",
            window_start,
            principal.user_id,
        )
        if not rows:
            return
        row = rows[0]
        settings = self.settings
        new_account = as_utc(row["created_at"]) > now() - timedelta(
            days=settings.board_new_account_days
        )
        limit = (
            settings.board_new_account_posts_per_hour
            if new_account
            else settings.board_posts_per_hour
        )
        if int(row["recent"]) >= limit:
            oldest = as_utc_or_none(row["oldest"]) or now()
            wait = (oldest + timedelta(hours=1) - now()).total_seconds()
            raise TooManyRequests(
                int(wait) + 1,
                "posting_too_fast",
                N_("You have written many posts in a short time. Please try again in {duration}."),
            )

    async def post_context(self, post_id: int, *, for_update: bool = False) -> PostContext:
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
        row = rows[0]
        return PostContext(
            post_id=post_id,
            thread_id=int(row["thread"]),
            author_id=int(row["author"]),
            language=str(row["language"]),
            source=str(row["source"]),
            html=str(row["html"]),
            revision=int(row["revision"]),
            deleted=row["deleted_at"] is not None,
            hidden=row["hidden_at"] is not None,
            thread_title=str(row["title"]),
            category=access_of(row, "c_"),
        )

    async def update_post(
        self, principal: Principal, post_id: int, data: schemas.PostUpdate
    ) -> schemas.Post:
        rendered = render(data.body)
        async with db.transaction():
            post = await self.post_context(post_id, for_update=True)
            await authorize(principal, reads_category, post.category, hide=True)
            await authorize(principal, edits_post, post.ownership)
            if post.deleted:
                raise Gone("post_deleted", N_("This post was deleted."))
            await query(
                "INSERT INTO board_post_revision (post, revision, source, html, edited_by, "
                "replaced_at) VALUES ({}, {}, {}, {}, {}, {})",
                post_id,
                post.revision,
                post.source,
                post.html,
                principal.user_id,
                now(),
            )
            await query(
                "UPDATE board_post SET source = {}, html = {}, revision = revision + 1, "
                "edited_at = {} WHERE id = {}",
                data.body,
                rendered.html,
                now(),
                post_id,
            )
            if not post.hidden:
                await self._record_post_event("post_edited", post.category, post.thread_id, post_id)
        return await self.get_post(principal, post_id)

    async def delete_post(self, principal: Principal, post_id: int) -> None:
        async with db.transaction():
            post = await self.post_context(post_id, for_update=True)
            await authorize(principal, reads_category, post.category, hide=True)
            await authorize(principal, edits_post, post.ownership)
            if post.deleted:
                return
            # Deleting removes the text everywhere, not only from view; a tombstone stays.
            await remove_post_texts([post_id], now())
            await events.record(
                "post_removed",
                category_id=post.category.id,
                thread_id=post.thread_id,
                post_id=post_id,
                data={"reason": "deleted"},
            )
            if principal.user_id != post.author_id:
                await moderation.audit(
                    principal, "delete_post", thread_id=post.thread_id, post_id=post_id
                )

    async def revisions(self, principal: Principal, post_id: int) -> list[schemas.PostRevision]:
        post = await self.post_context(post_id)
        await authorize(principal, reads_category, post.category, hide=True)
        await authorize(principal, edits_post, post.ownership)
        rows = await query(
            "SELECT r.revision, r.source, r.html, r.edited_by, u.display_name, r.replaced_at "
            "FROM board_post_revision r LEFT JOIN account_user u ON u.id = r.edited_by "
            "WHERE r.post = {} ORDER BY r.revision",
            post_id,
        )
        return [
            schemas.PostRevision(
                revision=int(row["revision"]),
                source=str(row["source"]),
                html=str(row["html"]),
                edited_by=(
                    person(row["edited_by"], row["display_name"])
                    if row["edited_by"] is not None
                    else None
                ),
                replaced_at=as_utc(row["replaced_at"]),
            )
            for row in rows
        ]

    # Reactions ---------------------------------------------------------------------------

    async def set_reaction(
        self, principal: Principal, post_id: int, kind: schemas.ReactionKind, given: bool
    ) -> list[schemas.ReactionCount]:
        async with db.transaction():
            post = await self.post_context(post_id)
            await authorize(principal, reads_category, post.category, hide=True)
            if not principal.is_authenticated:
                await authorize(principal, posts_in_category, post.category)
            if post.deleted:
                raise Gone("post_deleted", N_("This post was deleted."))
            if given:
                changed = await query(
                    'INSERT INTO board_reaction (post, "user", kind, created_at) '
                    'VALUES ({}, {}, {}, {}) ON CONFLICT (post, "user", kind) DO NOTHING '
                    "RETURNING id",
                    post_id,
                    principal.user_id,
                    kind.value,
                    now(),
                )
            else:
                changed = await query(
                    'DELETE FROM board_reaction WHERE post = {} AND "user" = {} AND kind = {} '
                    "RETURNING id",
                    post_id,
                    principal.user_id,
                    kind.value,
                )
            counts = (await self._reactions([post_id], principal.user_id)).get(post_id, [])
            if changed:
                await events.record(
                    "reaction",
                    category_id=post.category.id,
                    thread_id=post.thread_id,
                    post_id=post_id,
                    data={
                        "reactions": {count.kind.value: count.count for count in counts},
                        "kind": kind.value,
                        "given": given,
                    },
                )
        return counts

    # Translations ------------------------------------------------------------------------

    async def translate(
        self, principal: Principal, post_id: int, data: schemas.TranslationCreate
    ) -> tuple[schemas.Translation, bool]:
        """Ask for a translation, or give one; the flag says whether a version was stored."""
        raise_problems(locale_problem(data.locale, "/locale"))
        async with db.transaction():
            post = await self.post_context(post_id, for_update=True)
            if not await self._answers_request(principal, post, data):
                await authorize(principal, reads_category, post.category, hide=True)
            if post.deleted or post.hidden:
                raise Gone("post_removed", N_("This post is no longer shown."))
            if data.locale == post.language:
                raise Conflict(
                    "same_language",
                    N_("This post is written in {language} already."),
                    language=language_name(data.locale),
                )
            if data.body is UNSET:
                return await self._request_translation(principal, post, data.locale), False
            await authorize(principal, translates_post, (post.ownership, data.locale))
            return await self._store_translation(principal, post, data.locale, data.body), True

    @staticmethod
    async def _answers_request(
        principal: Principal, post: PostContext, data: schemas.TranslationCreate
    ) -> bool:
        """Translators answer the requests into their languages wherever the post is, without
        being able to read the rest of its category (their queue shows them these posts)."""
        return (
            data.body is not UNSET
            and translates_into(principal, data.locale)
            and bool(await open_requests(post.post_id, data.locale))
        )

    async def _request_translation(
        self, principal: Principal, post: PostContext, locale: str
    ) -> schemas.Translation:
        if not principal.is_authenticated:
            await authorize(principal, posts_in_category, post.category)
        principal = as_signed_in(principal)
        open_rows = await open_requests(post.post_id, locale)
        if open_rows:
            translation_id = int(open_rows[0]["id"])
        else:
            current = await query(
                "SELECT id FROM board_translation WHERE post = {} AND locale = {} "
                "AND status = 'done' AND post_revision = {} ORDER BY id DESC LIMIT 1",
                post.post_id,
                locale,
                post.revision,
            )
            if current:
                return await self.translation(int(current[0]["id"]))
            created = await query(
                "INSERT INTO board_translation (post, locale, status, requested_by, "
                "post_revision, created_at) VALUES ({}, {}, 'requested', {}, {}, {}) RETURNING id",
                post.post_id,
                locale,
                principal.user_id,
                post.revision,
                now(),
            )
            translation_id = int(created[0]["id"])
        await query(
            'INSERT INTO board_translation_watcher (translation, "user") VALUES ({}, {}) '
            'ON CONFLICT (translation, "user") DO NOTHING',
            translation_id,
            principal.user_id,
        )
        return await self.translation(translation_id)

    async def _store_translation(
        self, principal: Principal, post: PostContext, locale: str, body: str
    ) -> schemas.Translation:
        rendered = render(body)
        kind = "author" if principal.user_id == post.author_id else "human"
        open_rows = await open_requests(post.post_id, locale)
        completed = now()
        # Readers are shown the newest version; search keeps to it too.
        await query(
            "UPDATE board_translation SET replaced_at = {} WHERE post = {} AND locale = {} "
            "AND status = 'done' AND replaced_at IS NULL",
            completed,
            post.post_id,
            locale,
        )
        if open_rows:
            translation_id = int(open_rows[0]["id"])
            await query(
                "UPDATE board_translation SET status = 'done', kind = {}, translator = {}, "
                "source = {}, html = {}, post_revision = {}, completed_at = {} WHERE id = {}",
                kind,
                principal.user_id,
                body,
                rendered.html,
                post.revision,
                completed,
                translation_id,
            )
        else:
            created = await query(
                "INSERT INTO board_translation (post, locale, status, kind, translator, source, "
                "html, post_revision, created_at, completed_at) "
                "VALUES ({}, {}, 'done', {}, {}, {}, {}, {}, {}, {}) RETURNING id",
                post.post_id,
                locale,
                kind,
                principal.user_id,
                body,
                rendered.html,
                post.revision,
                completed,
                completed,
            )
            translation_id = int(created[0]["id"])
        await events.record(
            "translation",
            category_id=post.category.id,
            thread_id=post.thread_id,
            post_id=post.post_id,
            data={
                "translation_id": translation_id,
                "locale": locale,
                "kind": kind,
                "translator": {"id": principal.user_id, "display_name": principal.display_name},
                "html": rendered.html,
            },
        )
        await notifications.translation_done(
            self.settings,
            translation_id=translation_id,
            post_id=post.post_id,
            thread_id=post.thread_id,
            thread_title=post.thread_title,
            locale=locale,
            translator_id=principal.user_id,
            category=post.category,
        )
        return await self.translation(translation_id)

    async def translation(self, translation_id: int) -> schemas.Translation:
        rows = await self._translation_rows("tr.id = {}", [translation_id])
        if not rows:
            raise NotFound("translation_not_found", N_("There is no such translation."))
        return rows[0]

    async def _translation_rows(self, where: str, args: list[Any]) -> list[schemas.Translation]:
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
                id=int(row["id"]),
                post_id=int(row["post"]),
                locale=str(row["locale"]),
                status=schemas.TranslationStatus(str(row["status"])),
                kind=schemas.TranslationKind(str(row["kind"])) if row["kind"] else None,
                translator=(
                    person(row["translator"], row["translator_name"])
                    if row["translator"] is not None
                    else None
                ),
                html=row["html"],
                created_at=as_utc(row["created_at"]),
                completed_at=as_utc_or_none(row["completed_at"]),
                outdated=row["status"] == "done"
                and int(row["post_revision"]) < int(row["revision"]),
            )
            for row in rows
        ]

    async def list_translations(
        self, principal: Principal, post_id: int
    ) -> list[schemas.Translation]:
        post = await self.post_context(post_id)
        await authorize(principal, reads_category, post.category, hide=True)
        if post.deleted or (post.hidden and not await moderates_category(principal, post.category)):
            return []
        return await self._translation_rows("tr.post = {}", [post_id])


@dataclass(frozen=True, slots=True)
class PendingTranslation:
    """A request for a post's translation, not done yet: one task of the translators' queue."""

    requested_at: datetime
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
        "SELECT tr.locale, tr.created_at, p.id AS post_id, p.thread, p.language, p.source, "
        "t.title FROM board_translation tr "
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
    read = rows[:limit]
    found = [
        PendingTranslation(
            requested_at=as_utc(row["created_at"]),
            post_id=int(row["post_id"]),
            locale=str(row["locale"]),
            thread_id=int(row["thread"]),
            thread_title=str(row["title"]),
            language=str(row["language"]),
            source=str(row["source"]),
        )
        for row in read
    ]
    last = read[-1] if len(rows) > limit else None
    return found, (
        (as_utc(last["created_at"]), int(last["post_id"]), str(last["locale"]))
        if last is not None
        else None
    )


def parse_thread_cursor(cursor: str) -> tuple[bool, int]:
    pinned, _, last_post_id = cursor.partition(".")
    # isdigit() alone admits digits int() refuses ("²").
    digits = last_post_id.isascii() and last_post_id.isdigit()
    if pinned not in ("0", "1") or not digits or not in_range(int(last_post_id)):
        raise InvalidInput(
            FieldError(N_("This value is not valid."), "invalid_cursor", parameter="cursor")
        )
    return pinned == "1", int(last_post_id)
