"""The board's threads: listed by their latest post, opened with a first post, followed, changed
(moderators pin, lock and move them), and how fast people may post."""

from __future__ import annotations

from datetime import timedelta

from msgspec import UNSET

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.api_requests import in_range
from mupass_forum.board import events, moderation, notifications, schemas
from mupass_forum.board.authorization import (
    CategoryAccess,
    PostOwnership,
    edits_post,
    moderates_category,
    posts_in_category,
    reads_category,
)
from mupass_forum.board.categories import category_of
from mupass_forum.board.queries import (
    FOLLOWING_COLUMN,
    SERIES_COLUMN,
    add_follower,
    category_row,
    encode_tags,
    insert_post,
    recent_posts,
    thread_row,
    thread_rows,
    thread_summary,
)
from mupass_forum.board.rendering import render
from mupass_forum.board.tables import Follow, Post, Thread
from mupass_forum.clock import as_utc, as_utc_or_none, now
from mupass_forum.errors import (
    FieldError,
    Forbidden,
    InvalidInput,
    TooManyRequests,
)
from mupass_forum.i18n import N_
from mupass_forum.settings import Settings
from mupass_forum.validation import locale_problem, raise_problems


class Threads:
    """Threads: opened with their first post, listed, followed, renamed, moderated."""

    settings: Settings

    async def list_threads(
        self, principal: Principal, category_id: int, cursor: str | None, limit: int
    ) -> schemas.ThreadPage:
        row = await category_row(category_id)
        await authorize(principal, reads_category, row.access, hide=True)
        after = parse_thread_cursor(cursor) if cursor is not None else None
        rows = await thread_rows(category_id, after, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = None
        if more and rows:
            last = rows[-1]
            next_cursor = f"{int(last.t_pinned)}.{last.t_last_post_id}"
        return schemas.ThreadPage(items=[thread_summary(r) for r in rows], next_cursor=next_cursor)

    async def get_thread(self, principal: Principal, thread_id: int) -> schemas.Thread:
        row, home = await thread_row(
            thread_id, extra=f", {SERIES_COLUMN}, {FOLLOWING_COLUMN}", args=[principal.user_id or 0]
        )
        category = home.access
        await authorize(principal, reads_category, category, hide=True)
        summary = thread_summary(row)
        return schemas.Thread(
            id=summary.id,
            category=await category_of(home, principal),
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
            following=bool(row.following),
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
            category = (await category_row(data.category_id)).access
            await authorize(principal, reads_category, category, hide=True)
            await authorize(principal, posts_in_category, category)
            await check_rate(self.settings, principal, category)
            created = now()
            principal = as_signed_in(principal)
            thread_rows = await Thread.insert(
                Thread(
                    category=data.category_id,
                    author=principal.user_id,
                    title=data.title.strip(),
                    language=data.language,
                    tags=encode_tags(data.tags),
                    pinned=False,
                    locked=False,
                    created_at=created,
                    last_activity_at=created,
                    last_post_id=0,
                    post_count=1,
                )
            ).returning(Thread.id)
            thread_id = int(thread_rows[0]["id"])
            post_id = await insert_post(
                thread_id, 1, principal.user_id, data.language, data.body, rendered.html,
                None, created, title=data.title.strip(),
            )  # fmt: skip
            await Thread.update({Thread.last_post_id: post_id}).where(Thread.id == thread_id)
            await add_follower(thread_id, principal.user_id)
            await events.record(
                "thread_created",
                category_id=data.category_id,
                thread_id=thread_id,
                post_id=post_id,
                data={"title": data.title.strip(), "language": data.language},
            )
            await events.record_post("post_created", category, thread_id, post_id)
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
            row, home = await thread_row(thread_id)
            category = home.access
            await authorize(principal, reads_category, category, hide=True)
            is_moderator = await moderates_category(principal, category)
            if data.title is not UNSET or data.tags is not UNSET:
                owner = PostOwnership(author_id=row.t_author, category=category)
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
                await Thread.update({Thread.title: title}).where(Thread.id == thread_id)
                await Post.update({Post.title: title}).where(
                    Post.thread == thread_id, Post.position == 1
                )
            if data.tags is not UNSET:
                await Thread.update({Thread.tags: encode_tags(data.tags)}).where(
                    Thread.id == thread_id
                )
            await moderation.moderate_thread(principal, row, data)
            await events.record(
                "thread_changed",
                category_id=row.t_category if data.category_id is UNSET else int(data.category_id),
                thread_id=thread_id,
                data={"previous_category_id": row.t_category},
            )
        return await self.get_thread(principal, thread_id)

    async def set_following(self, principal: Principal, thread_id: int, follow: bool) -> None:
        _, home = await thread_row(thread_id)
        await authorize(principal, reads_category, home.access, hide=True)
        principal = as_signed_in(principal)
        if follow:
            await add_follower(thread_id, principal.user_id)
        else:
            await Follow.delete().where(
                Follow.thread == thread_id, Follow.user == principal.user_id
            )


async def check_rate(settings: Settings, principal: Principal, category: CategoryAccess) -> None:
    """Posts per hour, fewer for new accounts; moderators are not limited."""
    if await moderates_category(principal, category):
        return
    window_start = now() - timedelta(hours=1)
    row = await recent_posts(principal.user_id, window_start)
    if row is None:
        return
    new_account = as_utc(row.created_at) > now() - timedelta(days=settings.board_new_account_days)
    limit = (
        settings.board_new_account_posts_per_hour if new_account else settings.board_posts_per_hour
    )
    if row.recent >= limit:
        oldest = as_utc_or_none(row.oldest) or now()
        wait = (oldest + timedelta(hours=1) - now()).total_seconds()
        raise TooManyRequests(
            int(wait) + 1,
            "posting_too_fast",
            N_("You have written many posts in a short time. Please try again in {duration}."),
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
