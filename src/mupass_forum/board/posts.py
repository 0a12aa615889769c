"""The board's posts: a thread's pages as the caller sees them, writing, editing, deleting,
revisions and reactions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import events, moderation, notifications, schemas
from mupass_forum.board.authorization import (
    CategoryAccess,
    edits_post,
    moderates_category,
    posts_in_category,
    reads_category,
)
from mupass_forum.board.personal_data import remove_post_texts
from mupass_forum.board.queries import (
    API,
    POST_COLUMNS,
    POST_JOINS,
    add_follower,
    insert_post,
    language_label,
    page_columns,
    post_context,
    post_row,
    reactions,
    revision_rows,
    thread_and_page,
    thread_for_reply,
    thread_row,
    thread_summary,
)
from mupass_forum.board.rendering import render
from mupass_forum.board.sql import person
from mupass_forum.board.tables import Post, PostRevision, Reaction, Thread
from mupass_forum.board.threads import check_rate
from mupass_forum.clock import as_utc, as_utc_or_none, now
from mupass_forum.errors import (
    BadRequest,
    Conflict,
    FieldError,
    Gone,
    InvalidInput,
    NotFound,
)
from mupass_forum.i18n import N_, current_locale
from mupass_forum.settings import Settings
from mupass_forum.validation import locale_problem, raise_problems


class Posts:
    """Posts: pages of a thread, writing, editing, deleting, revisions and reactions."""

    settings: Settings

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
            row, home, rows = await thread_and_page(
                thread_id, extras, extra_args, after=after, before=before, last=last, limit=limit
            )
            category = home.access
            await authorize(principal, reads_category, category, hide=True)
            post_count = row.t_post_count
        else:
            async with db.one_connection():  # the thread and its page: one trip to the pool
                row, home = await thread_row(
                    thread_id,
                    extra=", (SELECT position FROM board_post WHERE id = {} AND thread = t.id) "
                    "AS around_position",
                    args=[around],
                )
                category = home.access
                await authorize(principal, reads_category, category, hide=True)
                post_count = row.t_post_count
                if row.around_position is None:
                    raise NotFound("post_not_found", N_("There is no such post."))
                start = row.around_position - limit // 2
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
        row, home = await post_row(post_id, extras, extra_args)
        category = home.access
        await authorize(principal, reads_category, category, hide=True)
        (item,) = await self._present(principal, category, [row], with_source=True)
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
        async with db.transaction():
            row = await thread_for_reply(thread_id)
            category = row.access
            await authorize(principal, reads_category, category, hide=True)
            await authorize(principal, posts_in_category, category)
            if row.locked and not await moderates_category(principal, category):
                raise Conflict("thread_locked", N_("This thread is locked: no more replies."))
            if data.reply_to is not None and not await Post.exists().where(
                Post.id == data.reply_to, Post.thread == thread_id
            ):
                raise InvalidInput(
                    FieldError(
                        N_("This post is not in the thread."),
                        "not_in_thread",
                        pointer="/reply_to",
                    )
                )
            await check_rate(self.settings, principal, category)
            created = now()
            counted = await (
                Thread.update(
                    {Thread.post_count: Thread.post_count + 1, Thread.last_activity_at: created}
                )
                .where(Thread.id == thread_id)
                .returning(Thread.post_count)
            )
            principal = as_signed_in(principal)
            post_id = await insert_post(
                thread_id, int(counted[0]["post_count"]), principal.user_id, data.language,
                data.body, rendered.html, data.reply_to, created,
            )  # fmt: skip
            await Thread.update({Thread.last_post_id: post_id}).where(Thread.id == thread_id)
            await events.record_post("post_created", category, thread_id, post_id)
            await notifications.post_written(
                self.settings,
                post_id=post_id,
                thread_id=thread_id,
                thread_title=row.title,
                author=principal,
                category=category,
                excerpt=data.body,
                mentions=rendered.mentions,
                is_reply=True,
            )
            await add_follower(thread_id, principal.user_id)
        return post_id

    async def update_post(
        self, principal: Principal, post_id: int, data: schemas.PostUpdate
    ) -> schemas.Post:
        rendered = render(data.body)
        async with db.transaction():
            post = await post_context(post_id, for_update=True)
            await authorize(principal, reads_category, post.category, hide=True)
            await authorize(principal, edits_post, post.ownership)
            if post.deleted:
                raise Gone("post_deleted", N_("This post was deleted."))
            await PostRevision.insert(
                PostRevision(
                    post=post_id,
                    revision=post.revision,
                    source=post.source,
                    html=post.html,
                    edited_by=principal.user_id,
                    replaced_at=now(),
                )
            )
            await Post.update(
                {
                    Post.source: data.body,
                    Post.html: rendered.html,
                    Post.revision: Post.revision + 1,
                    Post.edited_at: now(),
                }
            ).where(Post.id == post_id)
            if not post.hidden:
                await events.record_post("post_edited", post.category, post.thread_id, post_id)
        return await self.get_post(principal, post_id)

    async def delete_post(self, principal: Principal, post_id: int) -> None:
        async with db.transaction():
            post = await post_context(post_id, for_update=True)
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
        post = await post_context(post_id)
        await authorize(principal, reads_category, post.category, hide=True)
        await authorize(principal, edits_post, post.ownership)
        return [
            schemas.PostRevision(
                revision=row.revision,
                source=row.source,
                html=row.html,
                edited_by=(
                    person(row.edited_by, row.display_name) if row.edited_by is not None else None
                ),
                replaced_at=as_utc(row.replaced_at),
            )
            for row in await revision_rows(post_id)
        ]

    # Reactions ---------------------------------------------------------------------------

    async def set_reaction(
        self, principal: Principal, post_id: int, kind: schemas.ReactionKind, given: bool
    ) -> list[schemas.ReactionCount]:
        async with db.transaction():
            post = await post_context(post_id)
            await authorize(principal, reads_category, post.category, hide=True)
            if not principal.is_authenticated:
                await authorize(principal, posts_in_category, post.category)
            if post.deleted:
                raise Gone("post_deleted", N_("This post was deleted."))
            if given:
                changed = await (
                    Reaction.insert(
                        Reaction(
                            post=post_id, user=principal.user_id, kind=kind.value, created_at=now()
                        )
                    )
                    .on_conflict(
                        target=(Reaction.post, Reaction.user, Reaction.kind), action="DO NOTHING"
                    )
                    .returning(Reaction.id)
                )
            else:
                changed = await (
                    Reaction.delete()
                    .where(
                        Reaction.post == post_id,
                        Reaction.user == principal.user_id,
                        Reaction.kind == kind.value,
                    )
                    .returning(Reaction.id)
                )
            counts = (await reactions([post_id], principal.user_id)).get(post_id, [])
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
