"""The translations API: how complete the catalogs and the content are, the translators' queue."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from mupass_forum.accounts.authorization import requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.board.services import BoardService
from mupass_forum.pagination import Cursor, page_size
from mupass_forum.settings import Settings
from mupass_forum.translations import schemas, services

TranslatorLocale = Annotated[
    str | None, QueryParameter(description="one of your translator languages")
]


class TranslationController(Controller):
    path = "/translations"
    tags = ["translations"]

    @get(
        "/status",
        operation_id="get_translation_status",
        summary="How complete the translations are",
        guards=[requires_signed_in],
    )
    async def status(
        self, principal: NamedDependency[Principal], settings: NamedDependency[Settings]
    ) -> schemas.TranslationStatus:
        """The interface's catalogs per language, and the content of the forums you may see."""
        return await services.translation_status(principal, settings)

    @get("/tasks", operation_id="list_translation_tasks", summary="Texts to translate")
    async def tasks(
        self,
        principal: NamedDependency[Principal],
        locale: TranslatorLocale = None,
        cursor: Cursor = None,
        limit: Annotated[int, page_size(100)] = 25,
    ) -> schemas.TaskPage:
        """Texts missing in your translator languages, of the content changed longest ago first."""
        return await services.task_queue(principal, locale, cursor, limit)

    @post(
        "/tasks/{task_id:str}",
        operation_id="translate_task",
        summary="Translate a text",
    )
    async def translate(
        self,
        task_id: FromPath[str],
        data: JSONBody[schemas.TranslationCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.TextChange:
        """Write the missing text (translators of its language; ``replace`` to overwrite one)."""
        return await services.translate(principal, task_id, data, board_service)

    @get("/changes", operation_id="list_translation_changes", summary="Translations written")
    async def changes(
        self,
        principal: NamedDependency[Principal],
        task: Annotated[
            str | None, QueryParameter(description="a task id, e.g. forum:12:title:fr")
        ] = None,
        locale: TranslatorLocale = None,
        cursor: Cursor = None,
        limit: Annotated[int, page_size(100)] = 25,
    ) -> schemas.TextChangePage:
        """Who translated what and when, with the text before, newest first."""
        return await services.list_changes(principal, task, locale, cursor, limit)


class ForumTranslationController(Controller):
    path = "/forums/{slug:str}/translations"
    tags = ["translations"]

    @get("", operation_id="get_forum_translations", summary="A forum's missing translations")
    async def forum_translations(
        self, slug: FromPath[str], principal: NamedDependency[Principal]
    ) -> schemas.ForumTranslations:
        """Which of the forum's texts are still missing in which language (its organizers)."""
        return await services.forum_translations(principal, slug)
