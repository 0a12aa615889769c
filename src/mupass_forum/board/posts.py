"""The board's posts: a thread's pages as the caller sees them, writing, editing, deleting,
revisions and reactions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

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
    PostJson,
    add_follower,
    insert_post,
    language_label,
    post_context,
    post_json,
    post_row,
    reactions,
    revision_rows,
    thread_and_page,
    thread_for_reply,
    thread_summary,
)
from mupass_forum.board.rendering import render
from mupass_forum.board.sql import person
from mupass_forum.board.tables import Post, PostRevision, Reaction, Thread
from mupass_forum.board.threads import check_rate
from mupass_forum.clock import as_utc, now
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
        row, home, posts = await thread_and_page(
            thread_id, post_json(principal.user_id, current_locale(), translate),
            after=after, before=before, last=last, around=around, limit=limit,
        )  # fmt: skip
        category = home.access
        await authorize(principal, reads_category, category, hide=True)
        if around is not None and row.around_position is None:
            raise NotFound("post_not_found", N_("There is no such post."))
        items = await self._present(principal, category, posts)
        first = items[0].position if items else None
        final = items[-1].position if items else None
        post_count = row.t_post_count
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
        post = post_json(principal.user_id, current_locale(), translate)
        found, source, home = await post_row(post_id, post)
        category = home.access
        await authorize(principal, reads_category, category, hide=True)
        (item,) = await self._present(principal, category, [found])
        if principal.user_id == item.author.id or await moderates_category(principal, category):
            item.source = source
        return item

    async def _present(
        self, principal: Principal, category: CategoryAccess, posts: Sequence[PostJson]
    ) -> list[schemas.Post]:
        """Posts as the caller sees them: a removed post's text only for moderators (a hidden
        one for its author too), the translation in its place, times in UTC."""
        if not posts:
            return []
        locale = current_locale()
        moderator = await moderates_category(principal, category)
        items = []
        for post, translation in posts:
            post.language_name = language_label(locale, post.language)
            if post.created_at.tzinfo is not UTC:
                post.created_at = as_utc(post.created_at)
            if post.edited_at is not None and post.edited_at.tzinfo is not UTC:
                post.edited_at = as_utc(post.edited_at)
            if not (
                moderator
                or not (post.deleted or (post.hidden and principal.user_id != post.author.id))
            ):
                post.html = ""
            elif translation is not None:
                post.html = str(translation.html)
                post.shown_language = translation.locale
                post.is_translation = True
                post.translation = schemas.TranslationLabel(
                    id=translation.id,
                    kind=schemas.TranslationKind(translation.kind),
                    translator=(
                        person(translation.translator, translation.translator_name)
                        if translation.translator is not None
                        else None
                    ),
                    outdated=translation.post_revision < post.revision,
                )
                post.original_url = f"{API}/posts/{post.id}?translate=false"
                post.translation_requested = False
            items.append(post)
        return items

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
