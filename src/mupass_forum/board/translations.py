"""Translations of posts: a request for one, one given by a translator or the author, and the
versions of a post."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from mupass_forum import db
from mupass_forum.accounts.authorization import as_signed_in, authorize, translates_into
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import events, notifications, schemas
from mupass_forum.board.authorization import (
    PostContext,
    moderates_category,
    posts_in_category,
    reads_category,
    translates_post,
)
from mupass_forum.board.queries import (
    open_requests,
    post_context,
    translation_rows,
)
from mupass_forum.board.rendering import render
from mupass_forum.board.tables import Translation, TranslationWatcher
from mupass_forum.clock import now
from mupass_forum.errors import (
    Conflict,
    Gone,
    NotFound,
)
from mupass_forum.i18n import N_, language_name
from mupass_forum.settings import Settings
from mupass_forum.validation import locale_problem, raise_problems

#: The statuses of a translation: asked for, and given.
REQUESTED, DONE = "requested", "done"


class Translations:
    """Translations of posts: asked for, given, listed."""

    settings: Settings

    async def translate(
        self, principal: Principal, post_id: int, data: schemas.TranslationCreate
    ) -> tuple[schemas.Translation, bool]:
        """Ask for a translation, or give one; the flag says whether a version was stored."""
        raise_problems(locale_problem(data.locale, "/locale"))
        async with db.transaction():
            post = await post_context(post_id, for_update=True)
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
            translation_id = open_rows[0]
        else:
            current = await (
                Translation.select(Translation.id)
                .where(
                    Translation.post == post.post_id,
                    Translation.locale == locale,
                    Translation.status == DONE,
                    Translation.post_revision == post.revision,
                )
                .order_by(Translation.id, ascending=False)
                .first()
            )
            if current is not None:
                return await self.translation(int(current["id"]))
            created = await Translation.insert(
                Translation(
                    post=post.post_id,
                    locale=locale,
                    status=REQUESTED,
                    requested_by=principal.user_id,
                    post_revision=post.revision,
                    created_at=now(),
                )
            ).returning(Translation.id)
            translation_id = int(created[0]["id"])
        await TranslationWatcher.insert(
            TranslationWatcher(translation=translation_id, user=principal.user_id)
        ).on_conflict(
            target=(TranslationWatcher.translation, TranslationWatcher.user), action="DO NOTHING"
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
        await Translation.update({Translation.replaced_at: completed}).where(
            Translation.post == post.post_id,
            Translation.locale == locale,
            Translation.status == DONE,
            Translation.replaced_at.is_null(),
        )
        done: dict[str, Any] = {
            "status": DONE,
            "kind": kind,
            "translator": principal.user_id,
            "source": body,
            "html": rendered.html,
            "post_revision": post.revision,
            "completed_at": completed,
        }
        if open_rows:
            translation_id = open_rows[0]
            await Translation.update(**done).where(Translation.id == translation_id)
        else:
            created = await Translation.insert(
                Translation(
                    post=post.post_id,
                    locale=locale,
                    created_at=completed,
                    **done,
                )
            ).returning(Translation.id)
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
        rows = await translation_rows("tr.id = {}", [translation_id])
        if not rows:
            raise NotFound("translation_not_found", N_("There is no such translation."))
        return rows[0]

    async def list_translations(
        self, principal: Principal, post_id: int
    ) -> list[schemas.Translation]:
        post = await post_context(post_id)
        await authorize(principal, reads_category, post.category, hide=True)
        if post.deleted or (post.hidden and not await moderates_category(principal, post.category)):
            return []
        return await translation_rows("tr.post = {}", [post_id])
