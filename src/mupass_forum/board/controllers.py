"""The board's API: thin handlers over ``BoardService`` and the board's other services."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED, HTTP_202_ACCEPTED

from mupass_forum import pages
from mupass_forum.accounts.authorization import as_signed_in, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import moderation, notifications, schemas, search
from mupass_forum.board.services import BoardService
from mupass_forum.i18n import N_, gettext
from mupass_forum.pagination import Cursor, page_size

PageSize = Annotated[int, page_size(100)]


class CategoryController(Controller):
    path = "/board/categories"
    tags = ["board"]

    @get("", operation_id="list_board_categories", summary="Board categories")
    async def list_categories(
        self, principal: NamedDependency[Principal], board_service: NamedDependency[BoardService]
    ) -> list[schemas.Category]:
        """The categories the caller may read, in their order, named in the reader's language."""
        return await board_service.list_categories(principal)

    @post("", operation_id="create_board_category", summary="Add a category")
    async def create_category(
        self,
        data: JSONBody[schemas.CategoryCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Category:
        """Add a category (platform admins)."""
        return await board_service.create_category(principal, data)

    @get("/{category_id:int}", operation_id="get_board_category", summary="A category")
    async def get_category(
        self,
        category_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Category:
        """One category, if the caller may read it."""
        return await board_service.get_category(principal, category_id)

    @patch("/{category_id:int}", operation_id="update_board_category", summary="Change a category")
    async def update_category(
        self,
        category_id: FromPath[int],
        data: JSONBody[schemas.CategoryUpdate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Category:
        """Change names, order or access of a category (platform admins)."""
        return await board_service.update_category(principal, category_id, data)

    @get(
        "/{category_id:int}/threads",
        operation_id="list_board_threads",
        summary="Threads of a category",
    )
    async def list_threads(
        self,
        category_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
        cursor: Cursor = None,
        limit: PageSize = 25,
    ) -> schemas.ThreadPage:
        """Pinned threads first, then by last activity, newest first."""
        return await board_service.list_threads(principal, category_id, cursor, limit)


class ThreadController(Controller):
    path = "/board/threads"
    tags = ["board"]

    @post("", operation_id="create_board_thread", summary="Open a thread")
    async def create_thread(
        self,
        data: JSONBody[schemas.ThreadCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Thread:
        """Open a thread with its first post; the author follows it."""
        return await board_service.create_thread(principal, data)

    @get("/{thread_id:int}", operation_id="get_board_thread", summary="A thread")
    async def get_thread(
        self,
        thread_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Thread:
        """A thread, with whether the caller may reply and follows it."""
        return await board_service.get_thread(principal, thread_id)

    @patch("/{thread_id:int}", operation_id="update_board_thread", summary="Change a thread")
    async def update_thread(
        self,
        thread_id: FromPath[int],
        data: JSONBody[schemas.ThreadUpdate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Thread:
        """Retitle or retag (author, moderators); pin, lock or move (moderators, audited)."""
        return await board_service.update_thread(principal, thread_id, data)

    @get("/{thread_id:int}/posts", operation_id="list_board_posts", summary="Posts of a thread")
    async def list_posts(
        self,
        thread_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
        after: Annotated[
            int | None, QueryParameter(description="next_cursor: the page after it")
        ] = None,
        before: Annotated[
            int | None, QueryParameter(description="prev_cursor: the page before it")
        ] = None,
        around: Annotated[
            int | None, QueryParameter(description="a post id: the page around that post")
        ] = None,
        last: Annotated[bool, QueryParameter(description="the last page")] = False,
        translate: Annotated[
            bool, QueryParameter(description="false: every post in its original language")
        ] = True,
        limit: PageSize = 25,
    ) -> schemas.PostPage:
        """A page of posts in order: the first, the last, before or after a cursor, or around a
        post; each in the reader's language when a translation exists, and labelled so."""
        return await board_service.list_posts(
            principal,
            thread_id,
            after=after,
            before=before,
            last=last,
            around=around,
            limit=limit,
            translate=translate,
        )

    @post("/{thread_id:int}/posts", operation_id="create_board_post", summary="Reply")
    async def create_post(
        self,
        thread_id: FromPath[int],
        data: JSONBody[schemas.PostCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Post:
        """Write a post in a thread, optionally answering another post."""
        return await board_service.create_post(principal, thread_id, data)

    @put(
        "/{thread_id:int}/follow",
        operation_id="follow_board_thread",
        summary="Follow a thread",
        guards=[requires_signed_in],
        status_code=204,
    )
    async def follow(
        self,
        thread_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """Get mail about replies in this thread."""
        await board_service.set_following(principal, thread_id, True)

    @delete(
        "/{thread_id:int}/follow",
        operation_id="unfollow_board_thread",
        summary="Stop following a thread",
        guards=[requires_signed_in],
    )
    async def unfollow(
        self,
        thread_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """No more mail about replies in this thread."""
        await board_service.set_following(principal, thread_id, False)


class PostController(Controller):
    path = "/board/posts"
    tags = ["board"]

    @get("/{post_id:int}", operation_id="get_board_post", summary="A post")
    async def get_post(
        self,
        post_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
        translate: Annotated[bool, QueryParameter(description="false: the original text")] = True,
    ) -> schemas.Post:
        """One post; its Markdown source too for its author and moderators."""
        return await board_service.get_post(principal, post_id, translate=translate)

    @patch(
        "/{post_id:int}",
        operation_id="update_board_post",
        summary="Edit a post",
        guards=[requires_signed_in],
    )
    async def update_post(
        self,
        post_id: FromPath[int],
        data: JSONBody[schemas.PostUpdate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> schemas.Post:
        """Change a post's text; the previous text stays in its history."""
        return await board_service.update_post(principal, post_id, data)

    @delete(
        "/{post_id:int}",
        operation_id="delete_board_post",
        summary="Delete a post",
        guards=[requires_signed_in],
    )
    async def delete_post(
        self,
        post_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """Remove a post from view (its place in the thread stays)."""
        await board_service.delete_post(principal, post_id)

    @get(
        "/{post_id:int}/revisions",
        operation_id="list_board_post_revisions",
        summary="Edit history",
        guards=[requires_signed_in],
    )
    async def revisions(
        self,
        post_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> list[schemas.PostRevision]:
        """Earlier versions of a post (its author and moderators)."""
        return await board_service.revisions(principal, post_id)

    @put(
        "/{post_id:int}/reactions/{kind:str}",
        operation_id="add_board_reaction",
        summary="React",
        guards=[requires_signed_in],
        status_code=HTTP_200_OK,
    )
    async def react(
        self,
        post_id: FromPath[int],
        kind: FromPath[schemas.ReactionKind],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> list[schemas.ReactionCount]:
        """Give one of the reactions; returns the post's reactions."""
        return await board_service.set_reaction(principal, post_id, kind, True)

    @delete(
        "/{post_id:int}/reactions/{kind:str}",
        operation_id="remove_board_reaction",
        summary="Take a reaction back",
        guards=[requires_signed_in],
        status_code=HTTP_200_OK,
    )
    async def unreact(
        self,
        post_id: FromPath[int],
        kind: FromPath[schemas.ReactionKind],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> list[schemas.ReactionCount]:
        """Take a reaction back; returns the post's reactions."""
        return await board_service.set_reaction(principal, post_id, kind, False)

    @post(
        "/{post_id:int}/translations",
        operation_id="translate_board_post",
        summary="Ask for or give a translation",
        guards=[requires_signed_in],
    )
    async def translate(
        self,
        post_id: FromPath[int],
        data: JSONBody[schemas.TranslationCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> Response[schemas.Translation]:
        """Without ``body``: ask for a translation (202). With ``body``: store one, as a
        translator of that language or as the post's author (201)."""
        translation, stored = await board_service.translate(principal, post_id, data)
        return Response(translation, status_code=HTTP_201_CREATED if stored else HTTP_202_ACCEPTED)

    @get(
        "/{post_id:int}/translations",
        operation_id="list_board_post_translations",
        summary="Translations of a post",
    )
    async def translations(
        self,
        post_id: FromPath[int],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> list[schemas.Translation]:
        """Every version and open request of a post's translations."""
        return await board_service.list_translations(principal, post_id)

    @post(
        "/{post_id:int}/flags",
        operation_id="flag_board_post",
        summary="Flag a post",
        guards=[requires_signed_in],
        status_code=HTTP_202_ACCEPTED,
    )
    async def flag(
        self,
        post_id: FromPath[int],
        data: JSONBody[schemas.FlagCreate],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """Tell the moderators about a post; enough flags hide it until they decide."""
        await board_service.flag_post(principal, post_id, data)

    @post(
        "/{post_id:int}/hide",
        operation_id="hide_board_post",
        summary="Hide a post",
        guards=[requires_signed_in],
        status_code=204,
    )
    async def hide(
        self,
        post_id: FromPath[int],
        data: JSONBody[schemas.ModerationNote],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """Hide a post from readers and settle its flags (moderators)."""
        await board_service.set_hidden(principal, post_id, True, data.reason)

    @post(
        "/{post_id:int}/unhide",
        operation_id="unhide_board_post",
        summary="Show a post again",
        guards=[requires_signed_in],
        status_code=204,
    )
    async def unhide(
        self,
        post_id: FromPath[int],
        data: JSONBody[schemas.ModerationNote],
        principal: NamedDependency[Principal],
        board_service: NamedDependency[BoardService],
    ) -> None:
        """Show a hidden post again and settle its flags (moderators)."""
        await board_service.set_hidden(principal, post_id, False, data.reason)


class ModerationController(Controller):
    path = "/board/moderation"
    tags = ["board"]
    guards = [requires_signed_in]

    @get("/queue", operation_id="board_moderation_queue", summary="Flagged posts")
    async def queue(
        self, principal: NamedDependency[Principal], limit: PageSize = 50
    ) -> list[schemas.FlaggedPost]:
        """Posts with open flags, the longest waiting first (moderators)."""
        return await moderation.queue(principal, limit)

    @get("/log", operation_id="board_moderation_log", summary="Moderation log")
    async def log(
        self,
        principal: NamedDependency[Principal],
        before: Annotated[
            int | None, QueryParameter(description="next_cursor of the page before")
        ] = None,
        limit: PageSize = 50,
    ) -> schemas.ModerationLogPage:
        """Every moderator action and automatic hide, newest first (moderators)."""
        return await moderation.log(principal, before, limit)


class SearchController(Controller):
    path = "/board/search"
    tags = ["board"]

    @get("", operation_id="search_board", summary="Search the board")
    async def search(
        self,
        q: Annotated[str, QueryParameter(max_length=200, description="words to find")],
        principal: NamedDependency[Principal],
        category: FromQuery[int | None] = None,
        forum: FromQuery[int | None] = None,
        language: FromQuery[str | None] = None,
        author: FromQuery[int | None] = None,
        before: Annotated[
            int | None, QueryParameter(description="next_before of a capped search")
        ] = None,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        limit: Annotated[int, page_size(50)] = 20,
    ) -> schemas.SearchResult:
        """Posts whose title, text or translation has the words, best first, where you may read."""
        return await search.search(
            principal,
            q,
            search.SearchFilters(
                category_id=category,
                forum_id=forum,
                language=language,
                author_id=author,
                before=before,
            ),
            limit,
            offset,
        )


class NotificationController(Controller):
    path = "/board"
    tags = ["board"]

    @get(
        "/notifications",
        operation_id="get_board_notifications",
        summary="My board mail",
        guards=[requires_signed_in],
    )
    async def get_settings(
        self, principal: NamedDependency[Principal]
    ) -> schemas.NotificationSettings:
        """How you hear about replies, mentions and translations."""
        principal = as_signed_in(principal)
        return schemas.NotificationSettings(mode=await notifications.get_mode(principal.user_id))

    @put(
        "/notifications",
        operation_id="set_board_notifications",
        summary="Choose my board mail",
        guards=[requires_signed_in],
    )
    async def set_settings(
        self,
        data: JSONBody[schemas.NotificationSettingsUpdate],
        principal: NamedDependency[Principal],
    ) -> schemas.NotificationSettings:
        """At once, in a daily digest, or never."""
        principal = as_signed_in(principal)
        await notifications.set_mode(principal.user_id, data.mode)
        return schemas.NotificationSettings(mode=data.mode)

    @get(
        "/unsubscribe",
        operation_id="preview_board_unsubscribe",
        summary="What the stop link in board mail does",
        media_type="application/json",
    )
    async def unsubscribe_preview(
        self,
        token: FromQuery[str],
        request: Request[Any, Any, Any],
        board_service: NamedDependency[BoardService],
    ) -> Response[Any]:
        """The link in every board mail: says what a POST to it does, and changes nothing
        (link scanners follow links); browsers get a page with the button."""
        preview = await notifications.unsubscribe_preview(board_service.settings, token)
        if pages.wants_html(request):
            return pages.html_response(notifications.unsubscribe_preview_page(preview, token))
        return Response(preview)

    @post(
        "/unsubscribe",
        operation_id="unsubscribe_board_mail",
        summary="Stop board mail",
        status_code=HTTP_200_OK,
        media_type="application/json",
    )
    async def unsubscribe(
        self,
        token: FromQuery[str],
        request: Request[Any, Any, Any],
        board_service: NamedDependency[BoardService],
    ) -> Response[Any]:
        """No more board mail, without signing in: the page's button, and mail programs'
        one-click unsubscribe (RFC 8058)."""
        await notifications.unsubscribe(board_service.settings, token)
        done = schemas.Unsubscribed(
            detail=gettext(N_("You will receive no more mail from the dialogue board."))
        )
        if pages.wants_html(request):
            return pages.html_response(notifications.unsubscribed_page(done))
        return Response(done)
