"""The board's pages: categories, threads and their posts, the forms that write, react, follow,
flag and ask for translations, search, and the board's mail settings.

Thin handlers over the same services as ``controllers.py``; templates in
``templates/board/``. Every page works without script; on the last page of a thread,
``static/board-live.js`` adds new posts as they are written (their markup comes from
``/board/posts/{id}/card``, the same template as on the page).
"""

from __future__ import annotations

import functools
from typing import Annotated, Any
from urllib.parse import urlencode

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template

from mupass_forum.accounts.authorization import as_signed_in, requires_signed_in
from mupass_forum.accounts.principal import Principal
from mupass_forum.board import live, notifications, schemas, search
from mupass_forum.board.services import BoardService
from mupass_forum.errors import Conflict, FieldError, InvalidInput, TooManyRequests
from mupass_forum.i18n import N_, current_locale, gettext, language_name, supported_locales
from mupass_forum.pages import NO_ERRORS, FormErrors, form_data, message_page, redirect

PAGE_SIZE = 25
SEARCH_PAGE_SIZE = 20
#: Errors a person can mend by changing what they typed, or by waiting: shown on the form
#: again with their text kept, rather than on an error page.
FORM_ERRORS = (InvalidInput, Conflict, TooManyRequests)

REACTION_LABELS = {
    schemas.ReactionKind.LIKE: N_("Like"),
    schemas.ReactionKind.THANKS: N_("Thanks"),
    schemas.ReactionKind.INSIGHTFUL: N_("Insightful"),
    schemas.ReactionKind.AGREE: N_("Agree"),
    schemas.ReactionKind.QUESTION: N_("Question"),
}
REACTION_KINDS = frozenset(kind.value for kind in schemas.ReactionKind)
FLAG_LABELS = {
    schemas.FlagReason.SPAM: N_("Spam or advertising"),
    schemas.FlagReason.ABUSE: N_("Abusive or hurtful"),
    schemas.FlagReason.OFF_TOPIC: N_("Off topic"),
    schemas.FlagReason.MISINFORMATION: N_("Misleading or false"),
    schemas.FlagReason.OTHER: N_("Something else"),
}
MODE_LABELS = {
    schemas.NotificationMode.IMMEDIATELY: N_("A mail for each reply, mention and translation"),
    schemas.NotificationMode.DAILY: N_("One summary a day"),
    schemas.NotificationMode.NEVER: N_("No mail from the board"),
}


def thread_url(thread_id: int, post_id: int | None = None, *, original: bool = False) -> str:
    """A thread's page; with ``post_id``, the page around that post, scrolled to it."""
    query: list[tuple[str, str]] = []
    if post_id is not None:
        query.append(("around", str(post_id)))
    if original:
        query.append(("translate", "false"))
    address = f"/board/threads/{thread_id}"
    if query:
        address += "?" + urlencode(query)
    return address + (f"#post-{post_id}" if post_id is not None else "")


def _languages() -> list[tuple[str, str]]:
    """The languages one may write in, each named in the reader's language."""
    return [(locale, language_name(locale)) for locale in supported_locales()]


def _labels(labels: dict[Any, str]) -> list[tuple[str, str]]:
    return [(str(key.value), gettext(text)) for key, text in labels.items()]


def _post_view(thread: schemas.Thread, *, original: bool = False) -> dict[str, Any]:
    """What the post template needs beside the post (the same on the page and in a card), as
    ``view`` and each on its own."""
    labels = _labels(REACTION_LABELS)
    view = {
        "thread": thread,
        "original": original,
        "locale": current_locale(),
        "reader_language": language_name(current_locale()),
        "reactions": labels,
        "reaction_counts": functools.partial(_reaction_counts, labels),
    }
    return {**view, "view": view}


def _reaction_counts(
    labels: list[tuple[str, str]], post: schemas.Post
) -> list[tuple[str, str, schemas.ReactionCount | None]]:
    """Each kind of reaction with its label and the post's count of it, if any (one call per
    post rather than a filter per kind in the template)."""
    counts: dict[str, schemas.ReactionCount] = {}
    for reaction in post.reactions:
        counts.setdefault(reaction.kind.value, reaction)
    return [(kind, label, counts.get(kind)) for kind, label in labels]


async def _form(request: Request[Any, Any, Any], struct: type[Any], *optional: str) -> Any:
    """A form as ``struct``; an empty ``optional`` field takes the struct's default."""
    form = await request.form()
    values: dict[str, Any] = {}
    for name in struct.__struct_fields__:
        value = form.get(name, "")
        if value == "" and name in optional:
            continue
        values[name] = value
    try:
        return msgspec.convert(values, struct, strict=False)
    except msgspec.ValidationError:
        # The same reading as every other form, for the same messages next to the fields.
        return await form_data(request, struct)


def _form_page(template: str, errors: FormErrors, **context: Any) -> Template:
    """A form's page; answered with 422 while it shows what to mend."""
    return Template(
        template, context={"errors": errors, **context}, status_code=422 if errors else 200
    )


# Reading -----------------------------------------------------------------------------------


@get("/board", name="board")
async def board_page(
    principal: NamedDependency[Principal], board_service: NamedDependency[BoardService]
) -> Template:
    """The categories one may read."""
    categories = await board_service.list_categories(principal)
    return Template("board/categories.html", context={"categories": categories})


@get("/board/categories/{category_id:int}")
async def category_page(
    category_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
    cursor: FromQuery[str | None] = None,
) -> Template:
    """A category's threads, pinned first, then by last activity."""
    category = await board_service.get_category(principal, category_id)
    threads = await board_service.list_threads(principal, category_id, cursor, PAGE_SIZE)
    return Template(
        "board/category.html",
        context={"category": category, "threads": threads, "cursor": cursor},
    )


@get("/board/threads/{thread_id:int}")
async def thread_page(
    thread_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
    after: FromQuery[int | None] = None,
    before: FromQuery[int | None] = None,
    around: FromQuery[int | None] = None,
    last: FromQuery[bool] = False,
    translate: FromQuery[bool] = True,
) -> Template:
    """A page of a thread's posts, each in the reader's language where a translation exists."""
    thread = await board_service.get_thread(principal, thread_id)
    page = await board_service.list_posts(
        principal,
        thread_id,
        after=after,
        before=before,
        around=around,
        last=last,
        limit=PAGE_SIZE,
        translate=translate,
    )
    # Only the end of a thread grows: there the script adds new posts as they come.
    live_from = await live.newest_event_id() if page.next_cursor is None else None
    return Template(
        "board/thread.html",
        context={
            "page": page,
            "live_from": live_from,
            "languages": _languages(),
            "errors": NO_ERRORS,
            **_post_view(thread, original=not translate),
        },
    )


@get("/board/posts/{post_id:int}/card")
async def post_card(
    post_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template:
    """One post as the thread page shows it, without the page around it (for the script)."""
    item = await board_service.get_post(principal, post_id)
    thread = await board_service.get_thread(principal, item.thread_id)
    return Template("board/card.html", context={"post": item, **_post_view(thread)})


@get("/board/search")
async def search_page(
    principal: NamedDependency[Principal],
    q: Annotated[str, QueryParameter(max_length=200)] = "",
    offset: Annotated[int, QueryParameter(ge=0)] = 0,
    before: FromQuery[int | None] = None,
) -> Template:
    """Posts with the words, best first, where one may read."""
    result: schemas.SearchResult | None = None
    errors = NO_ERRORS
    if q.strip():
        try:
            result = await search.search(
                principal,
                q,
                search.SearchFilters(before=before),
                SEARCH_PAGE_SIZE,
                offset,
            )
        except InvalidInput as error:
            errors = FormErrors.of(error)
    return Template(
        "board/search.html",
        context={"q": q, "result": result, "errors": errors, "offset": offset, "before": before},
    )


# Writing -----------------------------------------------------------------------------------


@get("/board/categories/{category_id:int}/new-thread", guards=[requires_signed_in])
async def new_thread_form(
    category_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template:
    """The form for a new thread."""
    category = await board_service.get_category(principal, category_id)
    values = {"title": "", "body": "", "language": current_locale()}
    return _form_page(
        "board/new_thread.html", NO_ERRORS, category=category, values=values, languages=_languages()
    )


class ThreadForm(msgspec.Struct):
    title: schemas.Title
    language: schemas.Locale
    body: schemas.Body


@post("/board/categories/{category_id:int}/new-thread", guards=[requires_signed_in])
async def new_thread(
    category_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template | Redirect:
    """Open the thread; its page next."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("title", "body", "language")}
    try:
        data = await form_data(request, ThreadForm)
        thread_id = await board_service.open_thread(
            principal,
            schemas.ThreadCreate(
                category_id=category_id, title=data.title, language=data.language, body=data.body
            ),
        )
    except FORM_ERRORS as error:
        category = await board_service.get_category(principal, category_id)
        return _form_page(
            "board/new_thread.html",
            FormErrors.of(error),
            category=category,
            values=values,
            languages=_languages(),
        )
    return redirect(thread_url(thread_id))


@get("/board/threads/{thread_id:int}/reply", guards=[requires_signed_in])
async def reply_form(
    thread_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
    to: FromQuery[int | None] = None,
) -> Template:
    """The form for a reply, to the thread or to one of its posts."""
    thread = await board_service.get_thread(principal, thread_id)
    answering = await board_service.get_post(principal, to) if to is not None else None
    values = {"body": "", "language": current_locale()}
    return _form_page(
        "board/reply.html",
        NO_ERRORS,
        thread=thread,
        answering=answering,
        values=values,
        languages=_languages(),
    )


@post("/board/threads/{thread_id:int}/posts", guards=[requires_signed_in])
async def write_reply(
    thread_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template | Redirect:
    """Write the reply; the thread next, at the new post."""
    form = await request.form()
    values = {name: str(form.get(name, "")) for name in ("body", "language", "reply_to")}
    try:
        data = await _form(request, schemas.PostCreate, "reply_to")
        post_id = await board_service.write_post(principal, thread_id, data)
    except FORM_ERRORS as error:
        thread = await board_service.get_thread(principal, thread_id)
        answering = None
        if values["reply_to"].isdigit():
            answering = await board_service.get_post(principal, int(values["reply_to"]))
        return _form_page(
            "board/reply.html",
            FormErrors.of(error),
            thread=thread,
            answering=answering,
            values=values,
            languages=_languages(),
        )
    return redirect(thread_url(thread_id, post_id))


@get("/board/posts/{post_id:int}/edit", guards=[requires_signed_in])
async def edit_form(
    post_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template:
    """The form to change a post (its author and moderators)."""
    item = await board_service.get_post(principal, post_id, translate=False)
    if item.source is None:
        # Only its author and moderators get the text as written; the service says why.
        await board_service.revisions(principal, post_id)
    return _form_page("board/edit.html", NO_ERRORS, post=item, body=item.source or "")


@post("/board/posts/{post_id:int}/edit", guards=[requires_signed_in])
async def edit_post(
    post_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template | Redirect:
    """Change the post; the thread next, at the post."""
    form = await request.form()
    try:
        data = await form_data(request, schemas.PostUpdate)
        item = await board_service.update_post(principal, post_id, data)
    except FORM_ERRORS as error:
        item = await board_service.get_post(principal, post_id, translate=False)
        return _form_page(
            "board/edit.html", FormErrors.of(error), post=item, body=str(form.get("body", ""))
        )
    return redirect(thread_url(item.thread_id, post_id))


class ReactionForm(msgspec.Struct):
    """The button pressed: ``give`` a reaction or ``take`` it back, its value ``<post>.<kind>``
    (the buttons of every post on a page share one form, and so one CSRF token)."""

    give: str = ""
    take: str = ""


@post("/board/reactions", guards=[requires_signed_in])
async def react(
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Redirect:
    """Give a reaction or take it back; the thread next, at the post."""
    data = await form_data(request, ReactionForm)
    post_id, _, kind = (data.give or data.take).partition(".")
    if not post_id.isdigit() or kind not in REACTION_KINDS:
        raise InvalidInput(
            FieldError(N_("Choose one of the reactions."), "invalid", pointer="/give")
        )
    await board_service.set_reaction(
        principal, int(post_id), schemas.ReactionKind(kind), bool(data.give)
    )
    item = await board_service.get_post(principal, int(post_id))
    return redirect(thread_url(item.thread_id, item.id))


class FollowForm(msgspec.Struct):
    follow: bool


@post("/board/threads/{thread_id:int}/follow", guards=[requires_signed_in])
async def follow(
    thread_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Redirect:
    """Follow the thread (mail about replies) or stop following it."""
    data = await form_data(request, FollowForm)
    await board_service.set_following(principal, thread_id, data.follow)
    return redirect(thread_url(thread_id))


class TranslationRequestForm(msgspec.Struct):
    locale: schemas.Locale


@post("/board/posts/{post_id:int}/translation-request", guards=[requires_signed_in])
async def ask_for_translation(
    post_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Redirect:
    """Ask the translators for the post in one's language; the thread next, at the post."""
    data = await form_data(request, TranslationRequestForm)
    await board_service.translate(principal, post_id, schemas.TranslationCreate(locale=data.locale))
    item = await board_service.get_post(principal, post_id)
    return redirect(thread_url(item.thread_id, post_id))


@get("/board/posts/{post_id:int}/flag", guards=[requires_signed_in])
async def flag_form(
    post_id: FromPath[int],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template:
    """The form to tell the moderators about a post."""
    item = await board_service.get_post(principal, post_id)
    return _form_page(
        "board/flag.html",
        NO_ERRORS,
        post=item,
        values={"reason": "", "note": ""},
        reasons=_labels(FLAG_LABELS),
    )


@post("/board/posts/{post_id:int}/flag", guards=[requires_signed_in])
async def flag(
    post_id: FromPath[int],
    request: Request[Any, Any, Any],
    principal: NamedDependency[Principal],
    board_service: NamedDependency[BoardService],
) -> Template:
    """Tell the moderators; a page saying so."""
    item = await board_service.get_post(principal, post_id)
    form = await request.form()
    try:
        data = await form_data(request, schemas.FlagCreate)
        await board_service.flag_post(principal, post_id, data)
    except FORM_ERRORS as error:
        values = {name: str(form.get(name, "")) for name in ("reason", "note")}
        return _form_page(
            "board/flag.html",
            FormErrors.of(error),
            post=item,
            values=values,
            reasons=_labels(FLAG_LABELS),
        )
    return message_page(
        gettext(N_("Thank you")),
        gettext(N_("The moderators will look at this post.")),
        links=[(thread_url(item.thread_id, post_id), gettext(N_("Back to the thread")))],
    )


# Mail settings -----------------------------------------------------------------------------


@get("/board/notifications", guards=[requires_signed_in])
async def notifications_form(
    principal: NamedDependency[Principal], saved: FromQuery[bool] = False
) -> Template:
    """How one hears about replies, mentions and translations."""
    principal = as_signed_in(principal)
    mode = await notifications.get_mode(principal.user_id)
    return Template(
        "board/notifications.html",
        context={"mode": mode.value, "modes": _labels(MODE_LABELS), "saved": saved},
    )


@post("/board/notifications", guards=[requires_signed_in])
async def set_notifications(
    request: Request[Any, Any, Any], principal: NamedDependency[Principal]
) -> Redirect:
    """Choose: at once, a daily summary, or never."""
    principal = as_signed_in(principal)
    data = await form_data(request, schemas.NotificationSettingsUpdate)
    await notifications.set_mode(principal.user_id, data.mode)
    return redirect("/board/notifications?saved=true")


def page_handlers() -> list[Any]:
    """Every page of the board, for the site's router."""
    return [
        board_page,
        category_page,
        thread_page,
        post_card,
        search_page,
        new_thread_form,
        new_thread,
        reply_form,
        write_reply,
        edit_form,
        edit_post,
        react,
        follow,
        ask_for_translation,
        flag_form,
        flag,
        notifications_form,
        set_notifications,
    ]
